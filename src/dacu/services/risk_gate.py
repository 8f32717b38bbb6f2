"""The risk check where money moves: each deed asked about with the identity it came from.

`RiskGate` asks the `RiskCheck` port on every path that moves money and keeps
what it answered (`RiskDeeds`). A block refuses with `RiskBlocked` (403
`risk_blocked`, nothing more said). What review does depends on the deed (see
docs/risk.md, "Where the checks sit"):

- a registration or login still signs in; a registration's verdict carries
  over to the welcome and invite rewards it triggers (blocked: none; review: held);
- a coupon claim under review is refused like a block (a claim is cheap to retry);
- a checkout under review goes through, and the platform-funded rewards the order
  triggers (coins, merchant rebates) are held: review holds the reward, not the purchase;
- a refund or a payout under review is held (`RiskHeld`, 409 `risk_held`): no money
  moves until a person releases it (a released refund is carried out at once).
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from dacu.domain.risk import NOBODY, Action, Identity, RiskBlocked, RiskDecision, RiskQuery, Verdict
from dacu.domain.risk_deeds import (
    Deed,
    DeedStatus,
    DeliveryAddress,
    RiskHeld,
    order_subject,
    refund_subject,
)
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.risk_deeds import RiskDeeds
from dacu.services.ports.risk_links import IdentityLinks
from dacu.services.risk_flash import FlashScreen

STAFF_SECONDS = 60.0  # a merchant's same sighting told once a minute per process
STAFF_KEPT = 10_000
Refunder = Callable[[str, str, int, str], Any]  # order, sku, qty, key → the refund done


class RiskGate:
    def __init__(
        self,
        risk: RiskCheck,
        deeds: RiskDeeds,
        clock: Callable[[], datetime],
        refunder: Refunder | None = None,
        links: IdentityLinks | None = None,
    ) -> None:
        self._risk, self.deeds, self._clock, self.refunder = risk, deeds, clock, refunder
        self.links = links  # where a merchant's own sightings are recorded
        self._staff: dict[tuple[str, Identity], float] = {}  # sighting → told again after
        self.flash = FlashScreen(risk, clock)  # 抢购 attempts, answered from memory

    def ask(
        self,
        action: Action,
        customer_id: str,
        identity: Identity = NOBODY,
        *,
        subject: str = "",
        amount: int = 0,
        context: dict[str, str] | None = None,
    ) -> RiskDecision:
        """The check's answer; `RiskBlocked` when it blocks."""
        query = RiskQuery(
            action, customer_id, self._clock(), None, amount, subject, context or {}, identity
        )
        decision = self._risk.assess(query)
        if decision.verdict is Verdict.BLOCK:
            raise RiskBlocked()
        return decision

    # --- signing in ------------------------------------------------------------------

    def signed_in(self, customer_id: str, new: bool, identity: Identity) -> Verdict:
        """Asked once the phone's code checked out; never refuses the sign-in. A new
        member's verdict is kept, for the rewards their registration triggers."""
        action = Action.REGISTRATION if new else Action.LOGIN
        query = RiskQuery(action, customer_id, self._clock(), identity=identity)
        decision = self._risk.assess(query)
        if new:
            subject = f"registration:{customer_id}"
            self.deeds.keep(_deed(subject, action, customer_id, decision, query.at, identity))
        return decision.verdict

    # --- coupons and checkout ----------------------------------------------------------

    def claim(self, customer_id: str, template_id: str, identity: Identity, value: int) -> None:
        """A claim blocked or under review is refused (`RiskBlocked`): nothing to hold."""
        decision = self.ask(
            Action.COUPON_CLAIM, customer_id, identity, subject=template_id, amount=value
        )
        if decision.verdict is Verdict.REVIEW:
            raise RiskBlocked()

    def checkout(
        self, customer_id: str, identity: Identity, key: str, shops: Iterable[str] = ()
    ) -> RiskDecision:
        """Before the order is placed: `RiskBlocked` when blocked; review lets it through.
        `shops`: the cart's, for the rules on buyers tied to a shop (刷单)."""
        joined = ",".join(sorted(set(shops)))
        context = {"shop": joined} if joined else None
        return self.ask(Action.CHECKOUT, customer_id, identity, subject=key, context=context)

    def staff_due(self, subject: str, identity: Identity) -> bool:
        """Whether this merchant sighting is to be told now (not told a moment ago): the
        async caller then tells it off the event loop."""
        return self._staff.get((subject, identity), 0.0) <= time.monotonic()

    def staff_seen(self, subject: str, identity: Identity) -> None:
        """A merchant's own request: what it came from is linked under its subject (written
        behind), so a buyer on the merchant's device or wallet is seen tied to its shops."""
        now = time.monotonic()
        if self._staff.get((subject, identity), 0.0) > now:
            return  # told a moment ago: a merchant's requests come in runs
        if len(self._staff) >= STAFF_KEPT:
            self._staff.clear()
        self._staff[(subject, identity)] = now + STAFF_SECONDS
        seen = getattr(self._risk, "seen", None)  # the rules engine also counts it live
        if seen is not None and seen(subject, identity, self._clock()):
            return
        if self.links is not None and identity.links():
            self.links.record(subject, identity, self._clock())

    def placed(
        self,
        order_id: str,
        customer_id: str,
        identity: Identity,
        decision: RiskDecision,
        address: DeliveryAddress | None = None,
    ) -> None:
        """Keep the order's identity and verdict (a retried checkout keeps the first)."""
        if address is not None:
            self.deeds.keep_address(order_id, address)
        subject = order_subject(order_id)
        at = self._clock()
        self.deeds.keep(_deed(subject, Action.CHECKOUT, customer_id, decision, at, identity))

    # --- payment, refunds, payouts --------------------------------------------------------

    def paid(self, order_id: str, customer_id: str, payer: str, amount: int) -> None:
        """The channel's callback named the paying account: asked with the order's identity
        and it. The money is taken already; a block or review holds the order's rewards."""
        kept = self.deeds.find(order_subject(order_id))
        identity = replace(kept.identity if kept else NOBODY, payment_account=payer[:64])
        at = self._clock()
        query = RiskQuery(Action.PAYMENT, customer_id, at, None, amount, order_id, {}, identity)
        decision = self._risk.assess(query)
        subject = f"payment:{order_id}"
        self.deeds.keep(_deed(subject, Action.PAYMENT, customer_id, decision, at, identity))

    def refund(
        self, order_id: str, customer_id: str, sku: str, qty: int, key: str, identity: Identity
    ) -> None:
        """Before a refund's money goes back: `RiskBlocked` when blocked; under review it is
        held (`RiskHeld`) until a person releases it, and carried out then."""
        subject = refund_subject(order_id, key)
        kept = self.deeds.find(subject)
        if kept is not None:
            _settled(kept)
            return
        decision = self.ask(Action.REFUND, customer_id, identity, subject=order_id)
        if decision.verdict is Verdict.REVIEW:
            detail = {"order": order_id, "sku": sku, "qty": str(qty), "key": key}
            deed = _deed(subject, Action.REFUND, customer_id, decision, self._clock(), identity)
            if self.deeds.keep(replace(deed, detail=detail, status=DeedStatus.HELD)):
                raise RiskHeld()
            self.refund(order_id, customer_id, sku, qty, key, identity)  # kept meanwhile

    def payout(self, shop: str, subject: str, amount: int) -> None:
        """Before a shop's payout: a shop linked to its buyers (刷单) is held for review."""
        kept = self.deeds.find(subject)
        if kept is not None:
            _settled(kept)
            return
        decision = self.ask(Action.PAYOUT, shop, subject=subject, amount=amount)
        if decision.verdict is Verdict.REVIEW:
            deed = _deed(subject, Action.PAYOUT, shop, decision, self._clock(), NOBODY)
            self.deeds.keep(replace(deed, status=DeedStatus.HELD))
            raise RiskHeld()

    # --- a person decides -----------------------------------------------------------------

    def held(self, action: Action, limit: int = 100) -> list[Deed]:
        return self.deeds.held(action, limit)

    def release(self, subject: str) -> bool:
        """Let a held deed go ahead; a refund's money goes back at once. False when it was
        not held (decided already)."""
        deed = self.deeds.find(subject)
        if deed is None or not self.deeds.move(subject, DeedStatus.HELD, DeedStatus.RELEASED):
            return False
        if deed.action is Action.REFUND and self.refunder is not None:
            detail = deed.detail
            self.refunder(detail["order"], detail["sku"], int(detail["qty"]), detail["key"])
        return True

    def refuse(self, subject: str) -> bool:
        """Refuse a held deed for good: its retries answer `risk_blocked`."""
        return self.deeds.move(subject, DeedStatus.HELD, DeedStatus.REFUSED)


def _settled(deed: Deed) -> None:
    """A deed decided before: held still, refused, or free to go ahead."""
    if deed.status is DeedStatus.HELD:
        raise RiskHeld()
    if deed.status is DeedStatus.REFUSED:
        raise RiskBlocked()


def _deed(
    subject: str,
    action: Action,
    customer_id: str,
    decision: RiskDecision,
    at: datetime,
    identity: Identity,
) -> Deed:
    return Deed(subject, action, customer_id, decision.verdict, decision.reason, at, identity)
