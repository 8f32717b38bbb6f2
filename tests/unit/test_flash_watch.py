"""The stock watch on in-memory alerts and notifications: one alert per condition, each
waiting buyer told once when stock returns."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dacu.domain.flashsale import FlashSale
from dacu.services.flashsales import FlashSaleService
from tests.fakes import FakeAlerts, FakeNotifications

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SALE = FlashSale(
    "fs-phone", "P-PHONE", START, START + timedelta(hours=2), 3, 2, price=399900, safety_stock=1
)


class OneSale:
    """The flash store and the gate, as far as the watch reads them: one live sale."""

    def __init__(self, on_sale: int) -> None:
        self.on_sale = on_sale

    def live(self, now: datetime, grace: timedelta = timedelta(hours=1)) -> list[FlashSale]:
        return [SALE]

    def remaining(self, sale_id: str) -> int:
        return self.on_sale


def test_sold_out_is_raised_once_and_cleared_with_the_reminders_when_stock_returns():
    alerts, notifications, sale = FakeAlerts(), FakeNotifications(), OneSale(0)
    flash = FlashSaleService(sale, sale, alerts, notifications)
    notifications.subscribe("fs-phone", "u9", START)

    first = flash.watch(START)
    again = flash.watch(START)
    sale.on_sale = 10
    back = flash.watch(START + timedelta(minutes=1))
    later = flash.watch(START + timedelta(minutes=2))

    assert (first.raised, first.reminded) == (["fs-phone:sold_out"], 0)
    assert again.raised == []
    assert (back.cleared, back.reminded) == (["fs-phone:sold_out"], 1)
    assert later.reminded == 0
    assert alerts.alerts("fs-phone", standing=True) == []
    (told,) = notifications.inbox("u9")
    assert "¥3,999.00" in told["message"]
