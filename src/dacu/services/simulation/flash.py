"""秒杀 at 整点: shoppers try the flash sale through the flash-sale service and pay their holds.

A sold-out shopper may ask for a restock reminder (缺货提醒) and come back when
unpaid holds run out. Each attempt carries a request id fixed by the plan, so
the gate gives a repeated run the answer it gave before.
"""

from dataclasses import dataclass
from datetime import datetime

from dacu.domain.events import EventKind
from dacu.domain.flashsale import FlashSale, Outcome, PaymentRefused
from dacu.domain.orders import OrderStateError, OrderStatus
from dacu.domain.payments import PaymentUnavailable
from dacu.domain.types import Bp, Fen
from dacu.services.simulation.crowd import Crowd
from dacu.services.simulation.plan import FlashTry, Shopper


@dataclass(frozen=True, slots=True)
class FlashTerms:
    sale: FlashSale
    list_price: Fen
    platform_bp: Bp  # the flash price's funding, as its promotion says


class FlashCounter:
    """The flash sale's counter: attempts decided by the gate, holds paid."""

    def __init__(self, crowd: Crowd, terms: FlashTerms, recorded: set[str]) -> None:
        self._crowd, self._terms, self._recorded = crowd, terms, recorded

    def attempt(self, shopper: Shopper, tried: FlashTry, request_id: str, at: datetime) -> None:
        """抢购 through the flash-sale service; the same request again gets the same answer."""
        crowd, sale = self._crowd, self._terms.sale
        trail = crowd.journal.step(request_id, shopper)
        trail.add(EventKind.SKU_VIEW, at, sku=sale.sku)
        outcome = self._decide(shopper, tried, request_id, trail.first_id, at)
        crowd.tally[f"flash {outcome}"] += 1
        if outcome is Outcome.ACCEPTED:  # the order and its payment: the server's events
            if tried.pay_after is not None:
                crowd.schedule(
                    at + tried.pay_after, lambda now: self._pay(shopper, tried, request_id, now)
                )
        elif outcome in (Outcome.USER_RATE_LIMITED, Outcome.IP_RATE_LIMITED):
            trail.add(EventKind.ERROR, at)  # 429: too many attempts
        elif outcome is Outcome.SOLD_OUT and tried.subscribes:
            crowd.world.flashsales.subscribe(sale.id, shopper.id, at)
            if tried.retry_at is not None and tried.retry_at > at:
                again = retry_request(request_id)
                crowd.schedule(
                    tried.retry_at, lambda now: self.attempt(shopper, _retry(tried), again, now)
                )

    def _decide(
        self, shopper: Shopper, tried: FlashTry, request_id: str, first_id: str, at: datetime
    ) -> Outcome:
        flash, sale_id = self._crowd.world.flashsales, self._terms.sale.id
        hold = flash.hold(sale_id, request_id)
        if hold is not None and hold.user_id == shopper.id:
            return Outcome.ACCEPTED  # decided by an earlier run
        if first_id in self._recorded:
            # Refused in an earlier run; asked again now, with holds released since, it
            # could pass. Only a sold-out refusal leads anywhere (to a reminder), so that
            # is the one to replay.
            return Outcome.SOLD_OUT
        return flash.attempt(sale_id, shopper.id, request_id, tried.qty, at).outcome

    def _pay(self, shopper: Shopper, tried: FlashTry, request_id: str, at: datetime) -> None:
        """Go to pay: the hold becomes a full order, paid through the provider's callback;
        the order and its payment reach the KPIs from the server's outbox, as any order's."""
        crowd, sale = self._crowd, self._terms.sale
        trail = crowd.journal.step(f"{request_id}-pay", shopper)
        try:
            paying = crowd.world.flashsales.pay(sale.id, request_id, shopper.id, at)
        except (PaymentRefused, PaymentUnavailable, OrderStateError):
            trail.add(EventKind.ERROR, at)
            return
        order = paying.order
        if order.status is not OrderStatus.PAID:
            trail.add(EventKind.ERROR, at)
            return
        account = crowd.account(shopper)
        account.first_order = False
        account.bought[sale.sku] += tried.qty
        crowd.tally["flash payments"] += 1


def flash_request(shopper: Shopper, tried: FlashTry) -> str:
    """The request id of a planned attempt: a retry of the same request gets the same answer."""
    return f"{shopper.id}-f{tried.n}"


def retry_request(request_id: str) -> str:
    """A new attempt after a restock reminder: a new request id."""
    return f"{request_id}r"


def _retry(tried: FlashTry) -> FlashTry:
    return FlashTry(tried.n, tried.at, tried.qty, tried.pay_after, False, None)
