"""Flash sales around the gate: open, pay, sweep the unpaid, watch stock, remind, reconcile.

The database is the system of record and moves first: a payment and the
sweeper race on the order's row (reserved → paid, or reserved → releasing),
and only the winner touches the gate. A release left half done (releasing)
is finished by the next sweep, so a crash between the two stores loses
nothing.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from dacu.domain.flashsale import (
    PAID,
    RELEASED,
    RELEASING,
    RESERVED,
    FlashOrder,
    FlashSale,
    Hold,
    HoldState,
    NotYours,
    OrderPending,
    ReservationReleased,
    StockGate,
    UnknownSale,
)
from dacu.domain.money import yuan
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.flash import FlashStore
from dacu.services.ports.notifications import Notifications


def open_sale(store: FlashStore, gate: StockGate, sale: FlashSale) -> bool:
    """Record the sale, then load it into the gate; True if it was new."""
    made = store.define(sale)
    gate.open(store.get(sale.id) or sale)
    return made


def pay(
    store: FlashStore, gate: StockGate, sale_id: str, request_id: str, user_id: str, now: datetime
) -> FlashOrder:
    """Pay for a held order (once: paying again returns the paid order)."""
    order = store.order(sale_id, request_id)
    if order is None:
        raise OrderPending("the order is not written yet; retry shortly")
    if order.user_id != user_id:
        raise NotYours("that order is someone else's")
    if order.status == RESERVED:
        store.move(sale_id, request_id, (RESERVED,), PAID, now)
    paid = store.order(sale_id, request_id)
    assert paid is not None
    if paid.status != PAID:
        raise ReservationReleased("the time to pay ran out; stock went back")
    gate.settle(sale_id, request_id)
    return paid


def sweep(store: FlashStore, gate: StockGate, now: datetime, limit: int = 1000) -> int:
    """One sweep: release every hold unpaid past its sale's time; returns how many.

    Released units are on sale again as soon as the gate has them back.
    """
    released = 0
    for order in store.due(now, limit):
        key = (order.sale_id, order.request_id)
        if order.status == RESERVED and not store.move(*key, (RESERVED,), RELEASING, now):
            continue  # paid (or taken by another sweeper) meanwhile
        gate.release(*key)  # false when an earlier, interrupted sweep already did
        if store.move(*key, (RELEASING,), RELEASED, now):
            released += 1
    return released


def restock(
    store: FlashStore,
    gate: StockGate,
    sale_id: str,
    qty: int,
    restock_at: datetime | None = None,
) -> int:
    """Put `qty` more units on sale (record first, then gate); returns units on sale."""
    if qty < 1:
        raise ValueError("qty: must be at least 1")
    if not store.add_stock(sale_id, qty, restock_at):
        raise UnknownSale(sale_id)
    return gate.restock(sale_id, qty)


@dataclass(frozen=True, slots=True)
class StockView:
    sale: FlashSale
    on_sale: int  # units a buyer can still get now
    held: int  # reserved, not paid yet
    paid: int
    buyers: int
    low: bool  # at or under the safety stock (安全阈值)
    expected_restock_at: datetime | None

    @property
    def sold_out(self) -> bool:
        return self.on_sale <= 0


def stock_view(store: FlashStore, gate: StockGate, sale_id: str) -> StockView:
    sale = store.get(sale_id)
    if sale is None:
        raise UnknownSale(sale_id)
    holds = gate.holds(sale_id)
    held = sum(hold.qty for hold in holds if hold.state is HoldState.HELD)
    paid = sum(hold.qty for hold in holds if hold.state is HoldState.PAID)
    on_sale = gate.remaining(sale_id)
    return StockView(
        sale,
        on_sale,
        held,
        paid,
        len(gate.buyers(sale_id)),
        on_sale <= sale.safety_stock,
        expected_restock(sale, holds),
    )


def expected_restock(sale: FlashSale, holds: list[Hold]) -> datetime | None:
    """The operator's restock time, or sooner when an unpaid hold runs out first."""
    due = [sale.pay_by(hold.accepted_at) for hold in holds if hold.state is HoldState.HELD]
    times = [t for t in (sale.restock_at, *due) if t is not None]
    return min(times) if times else None


def subscribe(
    store: FlashStore,
    notifications: Notifications,
    gate: StockGate,
    sale_id: str,
    user_id: str,
    now: datetime,
) -> StockView:
    """缺货提醒: the buyer is told (in the app) when the sale has stock again."""
    view = stock_view(store, gate, sale_id)
    notifications.subscribe(sale_id, user_id, now)
    return view


@dataclass(frozen=True, slots=True)
class Watch:
    raised: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    reminded: int = 0


def watch(
    store: FlashStore, alerts: Alerts, notifications: Notifications, gate: StockGate, now: datetime
) -> Watch:
    """Raise or clear stock alerts of live sales, and tell subscribers stock is back."""
    result = Watch()
    for sale in store.live(now):
        on_sale = gate.remaining(sale.id)
        name = sale.title or sale.sku
        states = {
            "sold_out": (on_sale <= 0, "critical", f"{name} 已售罄 sold out"),
            "stock_low": (
                0 < on_sale <= sale.safety_stock,
                "warning",
                f"{name} 库存 {on_sale} 件，低于安全阈值 {sale.safety_stock} "
                f"(stock {on_sale} at or below safety stock {sale.safety_stock})",
            ),
        }
        for kind, (standing, level, message) in states.items():
            if standing and alerts.raise_alert(sale.id, kind, level, message, now):
                result.raised.append(f"{sale.id}:{kind}")
            elif not standing and alerts.clear_alert(sale.id, kind, now):
                result.cleared.append(f"{sale.id}:{kind}")
        if on_sale > 0 and now <= sale.ends_at:
            message = f"{name} 到货了：秒杀价 ¥{yuan(sale.price)}，剩余 {on_sale} 件，先到先得"
            told = notifications.remind(sale, message, now)
            result = replace(result, reminded=result.reminded + told)
    return result
