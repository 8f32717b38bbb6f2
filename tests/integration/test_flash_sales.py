"""Around the gate: paying, sweeping the unpaid, stock alerts, 缺货提醒 and reconciliation,
on the SQL gate (SQLite, PostgreSQL) and on Redis with PostgreSQL as the record."""

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.redis_scripts import sale_keys
from dacu.adapters.sql_gate import SqlStockGate
from dacu.adapters.tables import flash_orders
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.campaigns import CampaignStateError
from dacu.domain.errors import DomainError, InvalidRule
from dacu.domain.flashsale import FlashSale, Outcome, PaymentRefused, StockGate
from dacu.services.flashsales import FlashSaleService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.flash import FlashStore
from dacu.services.ports.notifications import Notifications
from tests.integration.conftest import (
    CLUSTER_PG,
    POSTGRES,
    REDIS_PG,
    postgres_engine,
    redis_keys,
    redis_url_of,
    sqlite_engine,
)
from tests.integration.flash_campaign import CAMPAIGN, live_campaign, paid_in_process

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = START + timedelta(seconds=1)


@dataclass
class Rig:
    flash: FlashSaleService  # as the platform wires it
    store: FlashStore  # the record and the gate behind it, to look at or to break
    gate: StockGate
    alerts: Alerts
    notifications: Notifications
    written: Callable[[], None]  # wait for the writers: every accepted attempt is an order
    client: Client | None = None
    prefix: str = ""
    platform: Platform | None = None


@pytest.fixture(params=["sqlite", POSTGRES, REDIS_PG, CLUSTER_PG])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    url = redis_url_of(request.param)
    on_redis = url is not None
    with (
        made as engine,
        redis_keys(url) if on_redis else nullcontext((None, "")) as (client, prefix),
    ):
        platform = bootstrap(engine, redis_url=url, redis_prefix=prefix)
        live_campaign(platform)
        paid_in_process(platform)
        writer = platform.flashsales.order_writer("w1")  # None: the SQL gate writes orders

        def written() -> None:
            while writer is not None and writer.write():
                pass

        gate = RedisStockGate(client, prefix) if client else SqlStockGate(engine)
        yield Rig(
            platform.flashsales,
            SqlFlashStore(engine),
            gate,
            platform.alerts,
            platform.notifications,
            written,
            client,
            prefix,
            platform,
        )


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
        campaign_id=CAMPAIGN,
    )


def test_unpaid_holds_are_released_by_one_sweep_and_sell_again_at_once(rig):
    # given: three units, two buyers hold them, one pays
    rig.flash.open(a_sale(stock=3))
    rig.flash.attempt("fs-phone", "u1", "r1", 2, NOW)
    rig.flash.attempt("fs-phone", "u2", "r2", 1, NOW)
    rig.written()
    rig.flash.pay("fs-phone", "r2", "u2", NOW + timedelta(minutes=1))
    assert rig.flash.attempt("fs-phone", "u3", "r3", 1, NOW).outcome is Outcome.SOLD_OUT
    # when: the sweep runs before and after u1's time ran out
    assert rig.flash.sweep(NOW + timedelta(minutes=14)) == 0
    assert rig.flash.sweep(NOW + timedelta(minutes=16)) == 1
    assert rig.flash.sweep(NOW + timedelta(minutes=17)) == 0
    # then: u1's two units are on sale again, the paid unit never
    assert rig.gate.remaining("fs-phone") == 2
    assert rig.flash.attempt("fs-phone", "u3", "r3", 1, NOW + timedelta(minutes=16)).accepted
    rig.written()
    statuses = {o.request_id: o.status for o in rig.store.orders("fs-phone")}
    assert statuses == {"r1": "released", "r2": "paid", "r3": "reserved"}
    with pytest.raises(PaymentRefused) as refused:
        rig.flash.pay("fs-phone", "r1", "u1", NOW + timedelta(minutes=18))
    assert refused.value.code == "reservation_released"
    assert rig.flash.reconcile("fs-phone")[0].clean


def test_paying_twice_is_one_payment_and_only_the_buyer_pays(rig):
    rig.flash.open(a_sale())
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    with pytest.raises(PaymentRefused) as refused:
        rig.flash.pay("fs-phone", "r1", "u2", NOW)
    assert refused.value.code == "unknown_reservation"
    first = rig.flash.pay("fs-phone", "r1", "u1", NOW)
    again = rig.flash.pay("fs-phone", "r1", "u1", NOW + timedelta(seconds=5))
    assert first.flash == again.flash
    assert first.flash.status == "paid"
    assert first.order.id == again.order.id
    assert first.payment is not None  # one payment, through its provider
    assert again.payment is not None  # asked again (an answer lost): the one that paid
    assert again.payment.id == first.payment.id
    assert again.payment.status.value == "succeeded"
    assert len(rig.platform.payments.of_order(first.order.id)) == 1


def test_a_release_cut_short_is_finished_by_the_next_sweep(rig):
    # given: a sweeper marked the order releasing, then died before the gate gave units back
    rig.flash.open(a_sale(stock=1))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    assert rig.store.move("fs-phone", "r1", ("reserved",), "releasing", NOW)
    # when
    assert rig.flash.sweep(NOW) == 1
    # then
    assert rig.gate.remaining("fs-phone") == 1
    assert rig.store.order("fs-phone", "r1").status == "released"


def test_stock_view_alerts_and_restock_reminders(rig):
    # given: 3 units with a safety stock of 1; u1 holds 2
    rig.flash.open(a_sale(stock=3, safety=1))
    rig.flash.attempt("fs-phone", "u1", "r1", 2, NOW)
    rig.written()
    assert rig.flash.watch(NOW).raised == ["fs-phone:stock_low"]
    assert rig.flash.watch(NOW).raised == []  # one alert per condition
    # when: the last unit goes, and u9 asks to be told when stock returns
    rig.flash.attempt("fs-phone", "u2", "r2", 1, NOW)
    rig.written()
    view = rig.flash.subscribe("fs-phone", "u9", NOW)
    # then: sold out, and stock is expected back when u1's hold runs out
    assert (view.on_sale, view.held, view.paid, view.buyers) == (0, 3, 0, 2)
    assert view.sold_out
    assert view.low
    assert view.expected_restock_at == NOW + timedelta(minutes=15)
    watched = rig.flash.watch(NOW)
    assert watched.raised == ["fs-phone:sold_out"]
    assert watched.cleared == ["fs-phone:stock_low"]
    assert watched.reminded == 0
    # when: an operator restocks 10, expecting more tomorrow
    tomorrow = START + timedelta(days=1)
    assert rig.flash.restock("fs-phone", 10, tomorrow) == 10
    watched = rig.flash.watch(NOW + timedelta(minutes=1))
    # then: alerts clear, u9 is told once
    assert watched.cleared == ["fs-phone:sold_out"]
    assert watched.reminded == 1
    assert rig.flash.watch(NOW + timedelta(minutes=2)).reminded == 0
    told = rig.notifications.inbox("u9")
    assert len(told) == 1
    assert "到货" in told[0]["message"]
    assert "¥3,999.00" in told[0]["message"]
    view = rig.flash.stock_view("fs-phone")
    assert (view.sale.stock, view.on_sale, view.low) == (13, 10, False)
    assert view.expected_restock_at == NOW + timedelta(minutes=15)  # u1's hold, before tomorrow
    standing = rig.alerts.alerts("fs-phone", standing=True)
    assert standing == []
    assert [a.kind for a in rig.alerts.alerts("fs-phone")] == ["sold_out", "stock_low"]


def test_reconcile_finds_nothing_after_a_normal_sale(rig):
    rig.flash.open(a_sale(stock=5))
    for i in range(4):
        rig.flash.attempt("fs-phone", f"u{i}", f"r{i}", 1, NOW)
    rig.written()
    rig.flash.pay("fs-phone", "r0", "u0", NOW)
    rig.flash.sweep(NOW + timedelta(hours=1))
    report, after = rig.flash.reconcile("fs-phone", fix=True)
    assert report.clean
    assert after is None
    assert (report.stock, report.on_sale, report.held, report.recorded) == (5, 4, 1, 1)


@pytest.mark.parametrize("rig", [REDIS_PG, CLUSTER_PG], indirect=True)
def test_reconcile_rebuilds_a_gate_that_lost_everything(rig):
    # given: two holds written, one paid; then Redis restarts empty (it keeps nothing on disk)
    rig.flash.open(a_sale(stock=5))
    rig.flash.attempt("fs-phone", "u1", "r1", 2, NOW)
    rig.flash.attempt("fs-phone", "u2", "r2", 1, NOW)
    rig.written()
    rig.flash.pay("fs-phone", "r1", "u1", NOW)
    rig.client.delete(*sale_keys(rig.prefix, "fs-phone")[:3])
    # when
    report, after = rig.flash.reconcile("fs-phone", fix=True)
    # then: the loss is reported, the gate rebuilt from the record
    kinds = sorted({d.kind for d in report.differences})
    assert kinds == ["gate_lost_hold", "stock_differs"]
    assert after is not None
    assert after.clean, after
    assert rig.gate.remaining("fs-phone") == 2
    assert rig.gate.bought("fs-phone", "u1") == 2
    assert rig.flash.attempt("fs-phone", "u1", "r3", 1, NOW).outcome is Outcome.OVER_LIMIT
    assert rig.flash.attempt("fs-phone", "u1", "r1", 2, NOW).accepted  # the same answer again
    assert not rig.gate.release("fs-phone", "r1")  # paid stays paid


@pytest.mark.parametrize("rig", [REDIS_PG, CLUSTER_PG], indirect=True)
def test_reconcile_writes_what_no_writer_wrote(rig):
    # given: accepted attempts sit in the stream; no writer has run
    rig.flash.open(a_sale(stock=5))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.flash.attempt("fs-phone", "u2", "r2", 1, NOW)
    # when
    report, after = rig.flash.reconcile("fs-phone", fix=True)
    # then
    assert [d.kind for d in report.differences] == ["order_unwritten", "order_unwritten"]
    assert after is not None
    assert after.clean
    assert {o.request_id for o in rig.store.orders("fs-phone")} == {"r1", "r2"}
    rig.written()  # a writer arriving later writes nothing twice
    assert len(rig.store.orders("fs-phone")) == 2


def test_reconcile_puts_back_units_a_gate_counts_wrong(rig):
    rig.flash.open(a_sale(stock=5))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    rig.gate.restock("fs-phone", 3)  # units the record never heard of
    report, after = rig.flash.reconcile("fs-phone", fix=True)
    assert [d.kind for d in report.differences] == ["stock_differs"]
    assert after is not None
    assert after.clean
    assert rig.gate.remaining("fs-phone") == 4


def _hold_callbacks(rig: Rig) -> list:
    """The providers' callbacks kept here, not delivered (the provider is slow)."""
    assert rig.platform is not None
    kept: list = []
    for provider in rig.platform.payment_providers.values():
        provider.sender = kept.append
    return kept


def test_a_hold_whose_order_finance_marked_paid_is_settled_not_released(rig):
    # given: u1 went to pay, the provider never called back, finance marked the order paid
    rig.flash.open(replace(a_sale(stock=2), price=359900, platform_bp=5000))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    kept = _hold_callbacks(rig)
    paying = rig.flash.pay("fs-phone", "r1", "u1", NOW + timedelta(minutes=1))
    assert (paying.flash.status, paying.order.status.value, len(kept)) == (
        "reserved",
        "pending_payment",
        1,
    )
    rig.platform.payments.mark_paid(paying.order.id, "fin-wu", "paid at the counter", NOW)
    # when: the sweep runs past the hold's time
    assert rig.flash.sweep(NOW + timedelta(minutes=20)) == 0
    # then: the hold is paid, its units never go back on sale
    assert rig.store.order("fs-phone", "r1").status == "paid"
    assert rig.gate.hold("fs-phone", "r1").state.value == "paid"
    assert rig.gate.remaining("fs-phone") == 1
    funding = rig.platform.orders.funding(paying.order.id)
    # the cut below the list price (399,900), half of it the platform's
    assert funding == {"platform": 20000, "merchants": {"digital-flagship": 20000}}
    budget = rig.platform.budgets.figures("double11-2026")
    assert (budget.drawn, budget.burn) == (20000, 20000)  # the platform's part, from its budget


def test_a_full_order_placed_by_a_process_cut_short_is_named_when_its_buyer_pays_again(rig):
    # given: u1 went to pay; the process placed the full order and died before naming it
    rig.flash.open(a_sale(stock=2))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    kept = _hold_callbacks(rig)
    paying = rig.flash.pay("fs-phone", "r1", "u1", NOW + timedelta(minutes=1))
    with rig.platform.engine.begin() as connection:
        connection.execute(update(flash_orders).values(order_id=None))
    # when: u1 taps pay again on another process, and the provider calls back
    again = rig.flash.pay("fs-phone", "r1", "u1", NOW + timedelta(minutes=2))
    assert (again.order.id, again.payment.id) == (paying.order.id, paying.payment.id)
    rig.platform.payments.deliver(kept[0])
    # then: the sweep settles the hold of the paid order; nothing goes back on sale
    assert rig.flash.sweep(NOW + timedelta(minutes=3)) == 0
    assert rig.store.order("fs-phone", "r1").status == "paid"
    assert rig.flash.stock_view("fs-phone").paid == 1


class _DiesWhileSettling:
    """The gate of a process killed -9 as it settles its first hold."""

    def __init__(self, gate: StockGate) -> None:
        self._gate, self.died = gate, False

    def settle(self, sale_id: str, request_id: str) -> bool:
        if not self.died:
            self.died = True
            raise KeyboardInterrupt("killed")
        return self._gate.settle(sale_id, request_id)

    def __getattr__(self, name: str) -> object:
        return getattr(self._gate, name)


def test_a_hold_whose_settling_was_cut_short_is_settled_by_the_next_sweep(rig):
    # given: u1's order paid; the sweeper that settles its hold is killed half way
    rig.flash.open(a_sale(stock=2))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    kept = _hold_callbacks(rig)
    rig.flash.pay("fs-phone", "r1", "u1", NOW + timedelta(minutes=1))
    rig.platform.payments.deliver(kept[0])
    checkout = rig.flash._checkout
    dying = _DiesWhileSettling(checkout._gate)
    checkout._gate = dying
    with pytest.raises(KeyboardInterrupt):
        rig.flash.sweep(NOW + timedelta(minutes=2))
    # when: the next sweep runs (on a process still alive)
    assert rig.flash.sweep(NOW + timedelta(minutes=3)) == 0
    # then: the record and the gate both say paid; the unit never goes back on sale
    assert rig.store.order("fs-phone", "r1").status == "paid"
    assert rig.gate.hold("fs-phone", "r1").state.value == "paid"
    assert rig.flash.stock_view("fs-phone").paid == 1
    assert rig.gate.remaining("fs-phone") == 1


def test_an_unpaid_hold_released_cancels_its_order_and_a_late_callback_pays_nothing(rig):
    rig.flash.open(a_sale(stock=1))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    kept = _hold_callbacks(rig)
    paying = rig.flash.pay("fs-phone", "r1", "u1", NOW + timedelta(minutes=1))
    # when: its time runs out before the provider calls back
    assert rig.flash.sweep(NOW + timedelta(minutes=16)) == 1
    # then: the hold is released, the order cancelled, and the callback refused
    assert rig.platform.orders.get(paying.order.id).status.value == "cancelled"
    assert rig.gate.remaining("fs-phone") == 1
    with pytest.raises(DomainError):
        rig.platform.payments.deliver(kept[0])
    assert rig.platform.orders.get(paying.order.id).status.value == "cancelled"


def test_a_paused_campaign_stops_attempts_and_flash_checkout_until_resumed(rig):
    rig.flash.open(a_sale(stock=5))
    rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW)
    rig.written()
    campaigns = rig.platform.campaigns
    campaigns.pause(CAMPAIGN, "ops", NOW)
    assert rig.flash.attempt("fs-phone", "u2", "r2", 1, NOW).outcome is Outcome.CAMPAIGN_STATE
    with pytest.raises(CampaignStateError):
        rig.flash.pay("fs-phone", "r1", "u1", NOW)
    campaigns.resume(CAMPAIGN, "ops", NOW)
    assert rig.flash.attempt("fs-phone", "u2", "r2", 1, NOW).accepted
    assert rig.flash.pay("fs-phone", "r1", "u1", NOW).flash.status == "paid"
    campaigns.end(CAMPAIGN, "ops", NOW)
    assert rig.flash.attempt("fs-phone", "u3", "r3", 1, NOW).outcome is Outcome.CAMPAIGN_STATE


def test_a_sale_past_its_campaigns_last_phase_takes_no_attempts(rig):
    after = datetime(2026, 11, 14, 0, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    rig.flash.open(replace(a_sale(), ends_at=after + timedelta(hours=1)))
    assert rig.flash.attempt("fs-phone", "u1", "r1", 1, after).outcome is Outcome.CAMPAIGN_STATE


def test_the_kill_switch_of_its_flash_price_promotion_stops_the_sale(rig):
    rig.flash.open(replace(a_sale(), promotion_id="flash-phone-20h"))
    campaigns = rig.platform.campaigns
    campaigns.kill(CAMPAIGN, "flash-phone-20h", "risk-zhao", NOW)
    assert rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW).outcome is Outcome.CAMPAIGN_STATE
    campaigns.kill(CAMPAIGN, "flash-phone-20h", "risk-zhao", NOW, killed=False)
    assert rig.flash.attempt("fs-phone", "u1", "r1", 1, NOW).accepted
    with pytest.raises(InvalidRule) as refused:
        rig.flash.open(replace(a_sale(), id="fs-other", promotion_id="no-such"))
    assert refused.value.field == "promotion_id"
