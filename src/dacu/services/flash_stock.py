"""A flash sale's stock as buyers and operators see it, and the watch over it: 安全阈值
and sold-out alerts, 缺货提醒 reminders when stock is back."""

from dataclasses import dataclass, field, replace
from datetime import datetime

from dacu.domain.flashsale import FlashSale, Hold, HoldState, StockGate, UnknownSale
from dacu.domain.money import yuan
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.flash import FlashStore
from dacu.services.ports.notifications import Notifications


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
