"""The risk check asked where the HTTP routes ask it, for the attack set's deeds.

The simulator calls the services directly, so it asks the platform's check itself the
questions a request would raise — at the step's virtual time, with the account's
identity (device, IP, delivery address, payment account, phone) — and honours the
answer as the routes do: a sign-in blocked or under review signs in without rewards
(held ones wait for a person); a claim blocked
or under review is refused; a checkout or a flash attempt blocked is refused; a refund
blocked or under review does not move money. The growth rewards that follow ask the
check themselves (the services do), and see the clusters these deeds linked.
"""

from datetime import datetime

from dacu.domain.risk import Action, RiskQuery, Verdict
from dacu.services.ports.risk import RiskCheck
from dacu.services.simulation.attackers import Actor

# under review: a claim is refused, a refund held, a new member's rewards held (the
# registration's verdict carries over to them): none of them reaches the account now
REFUSED_ON_REVIEW = frozenset({Action.COUPON_CLAIM, Action.REFUND, Action.REGISTRATION})
NEVER_REFUSED = frozenset({Action.PAYMENT})  # the money is taken: only rewards are held


class Screen:
    def __init__(self, risk: RiskCheck | None, campaign_id: str) -> None:
        self._risk, self._campaign_id = risk, campaign_id

    def refuses(
        self, actor: Actor, action: Action, at: datetime, subject: str = "", amount: int = 0
    ) -> bool:
        """Ask the check; whether the deed stops here."""
        if self._risk is None:
            return False
        query = RiskQuery(
            action, actor.id, at, self._campaign_id, amount, subject, {}, actor.identity
        )
        verdict = self._risk.assess(query).verdict
        if action in NEVER_REFUSED or verdict is Verdict.ALLOW:
            return False
        return verdict is Verdict.BLOCK or action in REFUSED_ON_REVIEW
