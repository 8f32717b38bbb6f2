"""The risk check asked where the HTTP routes ask it, for the attack set's deeds.

The simulator calls the services directly, so it asks the platform's `RiskGate` itself
— the same object the routes ask, over the step's virtual time, with the account's
identity (device, IP, delivery address, payment account, phone) — and honours the
answer as the routes do: a sign-up blocked or under review signs in without rewards
(the gate keeps the registration's verdict, so the welcome and invite rewards its
services then ask about carry it); a claim blocked or under review is refused; a
checkout or a flash attempt blocked is refused (an order under review goes through
and the gate keeps its verdict for the rewards it triggers); a payment is never
refused (its rewards carry the verdict); a refund blocked or under review does not
move money. Without the gate's deed store (a world built without one), the check is
asked directly with the same reading of its answer.
"""

from datetime import datetime

from dacu.domain.risk import Action, RiskBlocked, RiskQuery, Verdict
from dacu.domain.risk_deeds import RiskHeld
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.risk_deeds import RiskDeeds
from dacu.services.risk_gate import RiskGate
from dacu.services.simulation.attackers import Actor

# under review: a claim is refused, a refund held, a new member's rewards held (the
# registration's verdict carries over to them): none of them reaches the account now
REFUSED_ON_REVIEW = frozenset({Action.COUPON_CLAIM, Action.REFUND, Action.REGISTRATION})
NEVER_REFUSED = frozenset({Action.PAYMENT})  # the money is taken: only rewards are held


class Screen:
    def __init__(
        self, risk: RiskCheck | None, campaign_id: str, deeds: RiskDeeds | None = None
    ) -> None:
        self._risk, self._campaign_id, self._deeds = risk, campaign_id, deeds

    def refuses(
        self, actor: Actor, action: Action, at: datetime, subject: str = "", amount: int = 0
    ) -> bool:
        """Ask the check; whether the deed stops here."""
        if self._risk is None:
            return False
        if self._deeds is None:
            return self._asked(actor, action, at, subject, amount)
        gate = RiskGate(self._risk, self._deeds, lambda: at)
        try:
            return _through(gate, actor, action, subject, amount)
        except (RiskBlocked, RiskHeld):
            return True

    def _asked(self, actor: Actor, action: Action, at: datetime, subject: str, amount: int) -> bool:
        assert self._risk is not None
        query = RiskQuery(
            action, actor.id, at, self._campaign_id, amount, subject, {}, actor.identity
        )
        verdict = self._risk.assess(query).verdict
        if action in NEVER_REFUSED or verdict is Verdict.ALLOW:
            return False
        return verdict is Verdict.BLOCK or action in REFUSED_ON_REVIEW


def _through(gate: RiskGate, actor: Actor, action: Action, subject: str, amount: int) -> bool:
    """The deed through the gate as its route takes it; True when it stops here."""
    identity = actor.identity
    if action is Action.REGISTRATION:
        return gate.signed_in(actor.id, True, identity) is not Verdict.ALLOW
    if action is Action.COUPON_CLAIM:
        gate.claim(actor.id, subject, identity, amount)
    elif action is Action.CHECKOUT:  # the simulator's order id is the checkout's key
        gate.placed(subject, actor.id, identity, gate.checkout(actor.id, identity, subject))
    elif action is Action.PAYMENT:
        gate.paid(subject, actor.id, identity.payment_account, amount)
    elif action is Action.FLASH_ATTEMPT:
        return gate.flash.blocked(actor.id, identity, subject)
    elif gate.ask(action, actor.id, identity, subject=subject, amount=amount).verdict is (
        Verdict.REVIEW
    ):
        return action in REFUSED_ON_REVIEW  # a refund under review moves no money
    return False
