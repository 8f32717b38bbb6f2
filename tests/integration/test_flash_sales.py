"""Around the gate: paying, sweeping the unpaid, stock alerts, 缺货提醒 and reconciliation,
on the SQL gate (SQLite, PostgreSQL) and on Redis with PostgreSQL as the record."""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from dacu.adapters.order_writer import OrderWriter, stream_holds
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.redis_scripts import sale_keys
from dacu.adapters.sql_gate import SqlStockGate
from dacu.bootstrap import bootstrap
from dacu.domain.flashsale import FlashSale, Outcome, PaymentRefused, StockGate
from dacu.services import flashsales as fs
from dacu.services import stock_reconcile
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.flash import FlashStore
from dacu.services.ports.notifications import Notifications
from tests.integration.conftest import (
    POSTGRES,
    POSTGRES_URL,
    REDIS_URL,
    postgres_engine,
    sqlite_engine,
)

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = START + timedelta(seconds=1)
REDIS_PG = pytest.param(
    "redis+postgresql",
    marks=pytest.mark.skipif(
        not (REDIS_URL and POSTGRES_URL), reason="needs DACU_TEST_REDIS_URL and ..DATABASE_URL"
    ),
)


@dataclass
class Rig:
    store: FlashStore
    alerts: Alerts
    notifications: Notifications
    gate: StockGate
    written: Callable[[], None]  # wait for the writers: every accepted attempt is an order
    stream: stock_reconcile.StreamReader | None = None
    client: redis.Redis | None = None
    prefix: str = ""


@pytest.fixture(params=["sqlite", POSTGRES, REDIS_PG])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        platform = bootstrap(engine)
        stores = (platform.flash, platform.alerts, platform.notifications)
        if request.param != "redis+postgresql":
            yield Rig(*stores, SqlStockGate(engine), lambda: None)
            return
        assert REDIS_URL is not None
        client = redis.Redis.from_url(REDIS_URL)
        prefix = f"test-{uuid.uuid4().hex[:10]}"
        writer = OrderWriter(client, engine, "w1", prefix)

        def written() -> None:
            for sale_id in writer.sales():
                writer.join(sale_id)
                writer.drain(sale_id)

        def stream(sale_id: str) -> list:
            return stream_holds(client, prefix, sale_id)

        yield Rig(*stores, RedisStockGate(client, prefix), written, stream, client, prefix)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


def a_sale(stock: int = 3, safety: int = 1, pay_minutes: int = 15) -> FlashSale:
    return FlashSale(
        "fs-phone",
        "P-PHONE",
        START,
        START + timedelta(hours=2),
        stock,
        2,
        price=399900,
        safety_stock=safety,
        pay_within=timedelta(minutes=pay_minutes),
        title="旗舰手机",
        user_rate=50,
    )


def test_unpaid_holds_are_released_by_one_sweep_and_sell_again_at_once(rig):
    # given: three units, two buyers hold them, one pays
    fs.open_sale(rig.store, rig.gate, a_sale(stock=3))
    rig.gate.attempt("fs-phone", "u1", "r1", 2, NOW)
    rig.gate.attempt("fs-phone", "u2", "r2", 1, NOW)
    rig.written()
    fs.pay(rig.store, rig.gate, "fs-phone", "r2", "u2", NOW + timedelta(minutes=1))
    assert rig.gate.attempt("fs-phone", "u3", "r3", 1, NOW).outcome is Outcome.SOLD_OUT
    # when: the sweep runs before and after u1's time ran out
    assert fs.sweep(rig.store, rig.gate, NOW + timedelta(minutes=14)) == 0
    assert fs.sweep(rig.store, rig.gate, NOW + timedelta(minutes=16)) == 1
    assert fs.sweep(rig.store, rig.gate, NOW + timedelta(minutes=17)) == 0
    # then: u1's two units are on sale again, the paid unit never
    assert rig.gate.remaining("fs-phone") == 2
    assert rig.gate.attempt("fs-phone", "u3", "r3", 1, NOW + timedelta(minutes=16)).accepted
    rig.written()
    statuses = {o.request_id: o.status for o in rig.store.orders("fs-phone")}
    assert statuses == {"r1": "released", "r2": "paid", "r3": "reserved"}
    with pytest.raises(PaymentRefused) as refused:
        fs.pay(rig.store, rig.gate, "fs-phone", "r1", "u1", NOW + timedelta(minutes=18))
    assert refused.value.code == "reservation_released"
    assert stock_reconcile.reconcile(rig.store, rig.gate, "fs-phone", rig.stream)[0].clean


def test_paying_twice_is_one_payment_and_only_the_buyer_pays(rig):
    fs.open_sale(rig.store, rig.gate, a_sale())
    rig.gate.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    with pytest.raises(PaymentRefused) as refused:
        fs.pay(rig.store, rig.gate, "fs-phone", "r1", "u2", NOW)
    assert refused.value.code == "unknown_reservation"
    first = fs.pay(rig.store, rig.gate, "fs-phone", "r1", "u1", NOW)
    again = fs.pay(rig.store, rig.gate, "fs-phone", "r1", "u1", NOW + timedelta(seconds=5))
    assert first == again
    assert first.status == "paid"


def test_a_release_cut_short_is_finished_by_the_next_sweep(rig):
    # given: a sweeper marked the order releasing, then died before the gate gave units back
    fs.open_sale(rig.store, rig.gate, a_sale(stock=1))
    rig.gate.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    assert rig.store.move("fs-phone", "r1", ("reserved",), "releasing", NOW)
    # when
    assert fs.sweep(rig.store, rig.gate, NOW) == 1
    # then
    assert rig.gate.remaining("fs-phone") == 1
    assert rig.store.order("fs-phone", "r1").status == "released"


def test_stock_view_alerts_and_restock_reminders(rig):
    # given: 3 units with a safety stock of 1; u1 holds 2
    fs.open_sale(rig.store, rig.gate, a_sale(stock=3, safety=1))
    rig.gate.attempt("fs-phone", "u1", "r1", 2, NOW)
    rig.written()
    assert fs.watch(rig.store, rig.alerts, rig.notifications, rig.gate, NOW).raised == [
        "fs-phone:stock_low"
    ]
    assert (
        fs.watch(rig.store, rig.alerts, rig.notifications, rig.gate, NOW).raised == []
    )  # one alert per condition
    # when: the last unit goes, and u9 asks to be told when stock returns
    rig.gate.attempt("fs-phone", "u2", "r2", 1, NOW)
    rig.written()
    view = fs.subscribe(rig.store, rig.notifications, rig.gate, "fs-phone", "u9", NOW)
    # then: sold out, and stock is expected back when u1's hold runs out
    assert (view.on_sale, view.held, view.paid, view.buyers) == (0, 3, 0, 2)
    assert view.sold_out
    assert view.low
    assert view.expected_restock_at == NOW + timedelta(minutes=15)
    watched = fs.watch(rig.store, rig.alerts, rig.notifications, rig.gate, NOW)
    assert watched.raised == ["fs-phone:sold_out"]
    assert watched.cleared == ["fs-phone:stock_low"]
    assert watched.reminded == 0
    # when: an operator restocks 10, expecting more tomorrow
    tomorrow = START + timedelta(days=1)
    assert fs.restock(rig.store, rig.gate, "fs-phone", 10, tomorrow) == 10
    watched = fs.watch(
        rig.store, rig.alerts, rig.notifications, rig.gate, NOW + timedelta(minutes=1)
    )
    # then: alerts clear, u9 is told once
    assert watched.cleared == ["fs-phone:sold_out"]
    assert watched.reminded == 1
    assert (
        fs.watch(
            rig.store, rig.alerts, rig.notifications, rig.gate, NOW + timedelta(minutes=2)
        ).reminded
        == 0
    )
    told = rig.notifications.inbox("u9")
    assert len(told) == 1
    assert "到货" in told[0]["message"]
    assert "¥3,999.00" in told[0]["message"]
    view = fs.stock_view(rig.store, rig.gate, "fs-phone")
    assert (view.sale.stock, view.on_sale, view.low) == (13, 10, False)
    assert view.expected_restock_at == NOW + timedelta(minutes=15)  # u1's hold, before tomorrow
    standing = rig.alerts.alerts("fs-phone", standing=True)
    assert standing == []
    assert [a.kind for a in rig.alerts.alerts("fs-phone")] == ["sold_out", "stock_low"]


def test_reconcile_finds_nothing_after_a_normal_sale(rig):
    fs.open_sale(rig.store, rig.gate, a_sale(stock=5))
    for i in range(4):
        rig.gate.attempt("fs-phone", f"u{i}", f"r{i}", 1, NOW)
    rig.written()
    fs.pay(rig.store, rig.gate, "fs-phone", "r0", "u0", NOW)
    fs.sweep(rig.store, rig.gate, NOW + timedelta(hours=1))
    report, after = stock_reconcile.reconcile(rig.store, rig.gate, "fs-phone", rig.stream, fix=True)
    assert report.clean
    assert after is None
    assert (report.stock, report.on_sale, report.held, report.recorded) == (5, 4, 1, 1)


@pytest.mark.parametrize("rig", [REDIS_PG], indirect=True)
def test_reconcile_rebuilds_a_gate_that_lost_everything(rig):
    # given: two holds written, one paid; then Redis restarts empty (it keeps nothing on disk)
    fs.open_sale(rig.store, rig.gate, a_sale(stock=5))
    rig.gate.attempt("fs-phone", "u1", "r1", 2, NOW)
    rig.gate.attempt("fs-phone", "u2", "r2", 1, NOW)
    rig.written()
    fs.pay(rig.store, rig.gate, "fs-phone", "r1", "u1", NOW)
    rig.client.delete(*sale_keys(rig.prefix, "fs-phone")[:3])
    # when
    report, after = stock_reconcile.reconcile(rig.store, rig.gate, "fs-phone", rig.stream, fix=True)
    # then: the loss is reported, the gate rebuilt from the record
    kinds = sorted({d.kind for d in report.differences})
    assert kinds == ["gate_lost_hold", "stock_differs"]
    assert after is not None
    assert after.clean, after
    assert rig.gate.remaining("fs-phone") == 2
    assert rig.gate.bought("fs-phone", "u1") == 2
    assert rig.gate.attempt("fs-phone", "u1", "r3", 1, NOW).outcome is Outcome.OVER_LIMIT
    assert rig.gate.attempt("fs-phone", "u1", "r1", 2, NOW).accepted  # the same answer again
    assert not rig.gate.release("fs-phone", "r1")  # paid stays paid


@pytest.mark.parametrize("rig", [REDIS_PG], indirect=True)
def test_reconcile_writes_what_no_writer_wrote(rig):
    # given: accepted attempts sit in the stream; no writer has run
    fs.open_sale(rig.store, rig.gate, a_sale(stock=5))
    rig.gate.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.gate.attempt("fs-phone", "u2", "r2", 1, NOW)
    # when
    report, after = stock_reconcile.reconcile(rig.store, rig.gate, "fs-phone", rig.stream, fix=True)
    # then
    assert [d.kind for d in report.differences] == ["order_unwritten", "order_unwritten"]
    assert after is not None
    assert after.clean
    assert {o.request_id for o in rig.store.orders("fs-phone")} == {"r1", "r2"}
    rig.written()  # a writer arriving later writes nothing twice
    assert len(rig.store.orders("fs-phone")) == 2


def test_reconcile_puts_back_units_a_gate_counts_wrong(rig):
    fs.open_sale(rig.store, rig.gate, a_sale(stock=5))
    rig.gate.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    rig.gate.restock("fs-phone", 3)  # units the record never heard of
    report, after = stock_reconcile.reconcile(rig.store, rig.gate, "fs-phone", rig.stream, fix=True)
    assert [d.kind for d in report.differences] == ["stock_differs"]
    assert after is not None
    assert after.clean
    assert rig.gate.remaining("fs-phone") == 4
