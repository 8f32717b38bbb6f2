"""Paying a 抢购: the held flash order becomes a full order, paid through the payments path.

A buyer never marks a hold paid. Going to pay makes the hold's full order
(`domain/flash_order.py`: the flash price payable, the cut funded as the sale
says) — once, under an id both the payer and the sweeper can name — and
starts its payment on the active channel; the order becomes paid only by the
provider's verified callback (or by finance, audited). The hold follows the
order: settled once the order is paid, released with it when its time runs
out (the sweeper cancels the order first, so a payment and a release agree on
one winner through the order's row).
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.campaigns import Campaign, CampaignStateError, UnknownCampaign
from dacu.domain.errors import ConcurrentChange, InvalidRule
from dacu.domain.flash_order import flash_order_id, full_order, overdue
from dacu.domain.flashsale import (
    PAID,
    RELEASED,
    RELEASING,
    RESERVED,
    FlashOrder,
    FlashSale,
    NotYours,
    OrderPending,
    ReservationReleased,
    StockGate,
    UnknownSale,
)
from dacu.domain.goods import Sku
from dacu.domain.orders import Order, OrderStateError, OrderStatus, UnknownOrder
from dacu.domain.payments import Payment
from dacu.services.orders import OrderService
from dacu.services.payments import PaymentService
from dacu.services.ports.flash import FlashStore
from dacu.services.ports.unit_of_work import UnitOfWork

CampaignOpen = Callable[[str, datetime, str], bool]  # campaign, now, promotion ('': none)


@dataclass(frozen=True, slots=True)
class FlashPayment:
    """A flash order on its way to being paid: the hold's record, its full order, the
    payment started or the one that paid it (None when paid without one: by finance)."""

    flash: FlashOrder
    order: Order
    payment: Payment | None


class FlashCheckout:
    def __init__(
        self,
        store: FlashStore,
        gate: StockGate,
        uow: Callable[[], UnitOfWork],
        skus: Callable[[Collection[str]], Mapping[str, Sku]],
        orders: OrderService,
        payments: PaymentService,
        campaign_open: CampaignOpen | None = None,
        campaign: Callable[[str], Campaign] | None = None,
    ) -> None:
        self._store, self._gate, self._uow, self._skus = store, gate, uow, skus
        self._orders, self._payments, self._open = orders, payments, campaign_open
        self._campaign = campaign

    def admit(self, sale: FlashSale) -> None:
        """What a sale must be to be opened: of a campaign that exists (and of one of its
        promotions, if it names one), of a catalog SKU (whose list price is what its cut
        is measured from). InvalidRule naming the field."""
        if self._campaign is not None:
            try:
                campaign = self._campaign(sale.campaign_id)
            except UnknownCampaign:
                raise InvalidRule("campaign_id", f"no campaign {sale.campaign_id}") from None
            ids = {held.promotion.id for held in campaign.promotions}
            if sale.promotion_id and sale.promotion_id not in ids:
                message = f"campaign {campaign.id} has no promotion {sale.promotion_id}"
                raise InvalidRule("promotion_id", message)
        if sale.sku not in self._skus([sale.sku]):
            raise InvalidRule("sku", f"{sale.sku} is not in the catalog")

    def pay(self, sale_id: str, request_id: str, user_id: str, now: datetime) -> FlashPayment:
        """Start paying the buyer's held flash order (again: the same order and payment)."""
        held = self._held(sale_id, request_id, user_id)
        order = self._full_order(held, now)
        if order.status is OrderStatus.PENDING:
            payment: Payment | None = self._payments.start(order.id, user_id, now)
            order = self._orders.get(order.id)  # a provider in process may have called back
        else:  # asked again (its answer lost with a broken connection): the same payment
            payment = next((p for p in self._payments.of_order(order.id) if p.settled), None)
        if order.status is OrderStatus.PAID:
            held = self.settle(held, now)
        elif order.status is not OrderStatus.PENDING:
            raise ReservationReleased("the time to pay ran out; stock went back")
        return FlashPayment(held, order, payment)

    def settle(self, held: FlashOrder, now: datetime) -> FlashOrder:
        """The hold of a paid order: settled in the gate, then paid in the record. A
        process cut short between the two leaves the record reserved beside a paid order,
        which the next sweep settles again (the gate's settle holds when done twice)."""
        if held.status in (RESERVED, PAID):
            self._gate.settle(held.sale_id, held.request_id)
        if held.status == RESERVED:
            self._store.move(held.sale_id, held.request_id, (RESERVED,), PAID, now)
        after = self._store.order(held.sale_id, held.request_id)
        assert after is not None
        return after

    def settle_paid(self, now: datetime, limit: int = 1000) -> int:
        """Settle every hold whose full order has been paid; returns how many."""
        paid = self._store.paid_unsettled(limit)
        return sum(self.settle(held, now).status == PAID for held in paid)

    def may_release(self, held: FlashOrder, now: datetime) -> bool:
        """Before an unpaid hold is released: its full order is cancelled first; a paid
        one is settled instead, and False says to keep the hold."""
        order_id = held.order_id or flash_order_id(held.sale_id, held.request_id)
        for _ in range(3):
            try:
                self._orders.cancel(order_id, now)
                return True
            except UnknownOrder:
                return True  # its buyer never went to pay
            except OrderStateError:
                if self._orders.get(order_id).status is not OrderStatus.PAID:
                    return True  # cancelled or expired already
                self.settle(held, now)
                return False
            except ConcurrentChange:
                continue
        return False  # the order keeps moving: the next sweep decides

    def _held(self, sale_id: str, request_id: str, user_id: str) -> FlashOrder:
        held = self._store.order(sale_id, request_id)
        if held is None:
            hold = self._gate.hold(sale_id, request_id)
            if hold is None or hold.user_id != user_id:  # answered as one that never was
                raise NotYours()
            raise OrderPending("the order is not written yet; retry shortly")
        if held.user_id != user_id:
            raise NotYours()
        if held.status in (RELEASING, RELEASED):
            raise ReservationReleased("the time to pay ran out; stock went back")
        return held

    def _full_order(self, held: FlashOrder, now: datetime) -> Order:
        """The hold's full order, made now if its buyer had not gone to pay before."""
        order_id = held.order_id or flash_order_id(held.sale_id, held.request_id)
        try:
            found = self._orders.get(order_id)
        except UnknownOrder:
            pass
        else:  # placed by a process cut short before it named the order: named now
            if held.order_id is None:
                self._store.link(held.sale_id, held.request_id, found.id)
            return found
        sale = self._store.get(held.sale_id)
        if sale is None:
            raise UnknownSale(held.sale_id)
        if overdue(sale, held, now):
            raise ReservationReleased("the time to pay ran out; stock went back")
        if self._open is not None and not self._open(sale.campaign_id, now, sale.promotion_id):
            raise CampaignStateError(
                f"campaign {sale.campaign_id or '(none)'} is not live: flash checkout is closed"
            )
        sku = self._skus([sale.sku]).get(sale.sku)
        list_price = sku.list_price if sku is not None else sale.price
        order = full_order(sale, held, sku.shop if sku is not None else "", list_price)
        placed = self._orders.place_made(order, now)  # made before: it stands as it was
        self._store.link(held.sale_id, held.request_id, order.id)
        return placed
