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

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dacu.domain.risk import Action, Identity, RiskBlocked, RiskQuery, Verdict
from dacu.domain.risk_deeds import RiskHeld
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.risk_deeds import RiskDeeds
from dacu.services.ports.risk_links import IdentityLinks
from dacu.services.risk_gate import RiskGate
from dacu.services.simulation.attackers import Actor

# under review: a claim is refused, a refund held, a new member's rewards held (the
# registration's verdict carries over to them): none of them reaches the account now
REFUSED_ON_REVIEW = frozenset({Action.COUPON_CLAIM, Action.REFUND, Action.REGISTRATION})
NEVER_REFUSED = frozenset({Action.PAYMENT})  # the money is taken: only rewards are held


class Screen:
    """Asks the platform's gate over the step's time (its clock reads the step asked)."""

    def __init__(
        self,
        risk: RiskCheck | None,
        campaign_id: str,
        deeds: RiskDeeds | None = None,
        links: IdentityLinks | None = None,
    ) -> None:
        self._risk, self._campaign_id = risk, campaign_id
        self._now = datetime.min
        self._gate: RiskGate | None = None
        if risk is not None and deeds is not None:
            self._gate = RiskGate(risk, deeds, lambda: self._now, links=links)

    def refuses(
        self,
        actor: Actor,
        action: Action,
        at: datetime,
        subject: str = "",
        amount: int = 0,
        shops: tuple[str, ...] = (),
    ) -> bool:
        """Ask the check; whether the deed stops here."""
        if self._risk is None:
            return False
        if self._gate is None:
            return self._asked(actor, action, at, subject, amount)
        self._now = at
        try:
            return _through(self._gate, actor, action, subject, amount, shops)
        except (RiskBlocked, RiskHeld):
            return True

    def staff_seen(self, subject: str, identity: Identity, at: datetime) -> None:
        """A merchant's own request (its console, its app), as the API records it."""
        if self._gate is not None:
            self._now = at
            self._gate.staff_seen(subject, identity)

    def _asked(self, actor: Actor, action: Action, at: datetime, subject: str, amount: int) -> bool:
        assert self._risk is not None
        query = RiskQuery(
            action, actor.id, at, self._campaign_id, amount, subject, {}, actor.identity
        )
        verdict = self._risk.assess(query).verdict
        if action in NEVER_REFUSED or verdict is Verdict.ALLOW:
            return False
        return verdict is Verdict.BLOCK or action in REFUSED_ON_REVIEW


def _through(
    gate: RiskGate,
    actor: Actor,
    action: Action,
    subject: str,
    amount: int,
    shops: tuple[str, ...],
) -> bool:
    """The deed through the gate as its route takes it; True when it stops here."""
    identity = actor.identity
    if action is Action.REGISTRATION:
        return gate.signed_in(actor.id, True, identity) is not Verdict.ALLOW
    if action is Action.COUPON_CLAIM:
        gate.claim(actor.id, subject, identity, amount)
    elif action is Action.CHECKOUT:  # the simulator's order id is the checkout's key
        decision = gate.checkout(actor.id, identity, subject, shops)
        gate.placed(subject, actor.id, identity, decision)
    elif action is Action.PAYMENT:
        gate.paid(subject, actor.id, identity.payment_account, amount)
    elif action is Action.FLASH_ATTEMPT:
        return gate.flash.blocked(actor.id, identity, subject)
    elif gate.ask(action, actor.id, identity, subject=subject, amount=amount).verdict is (
        Verdict.REVIEW
    ):
        return action in REFUSED_ON_REVIEW  # a refund under review moves no money
    return False


_TAKES_IDENTITY: dict[Any, bool] = {}


def identity_of(fn: Callable[..., Any], identity: Identity) -> dict[str, Any]:
    """`identity=` for a service call that takes it (as its HTTP route passes it); the IP
    alone for the flash gate's own per-IP limits."""
    key = getattr(fn, "__func__", fn)
    takes = _TAKES_IDENTITY.get(key)
    if takes is None:
        params = inspect.signature(fn).parameters
        takes = _TAKES_IDENTITY[key] = "identity" in params
        _TAKES_IDENTITY[(key, "ip")] = "ip" in params
    if takes:
        return {"identity": identity}
    return {"ip": identity.ip} if _TAKES_IDENTITY[(key, "ip")] else {}
