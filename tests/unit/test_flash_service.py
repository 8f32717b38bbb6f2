"""The flash-sale service's edges on fakes: the hot path answers from the hot gate
alone, or from the gate off the event loop; each process's order writer joins every
sale's stream once."""

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dacu.domain.flashsale import Decision, FlashSale, Hold, HoldState, Outcome
from dacu.services.flashsales import FlashSaleService
from tests.fakes import FakeAlerts, FakeNotifications

NOW = datetime(2026, 11, 11, 20, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
HOLD = Hold("r1", "1-0", "u1", 2, HoldState.HELD, NOW)
SALE = FlashSale("fs-phone", "P-PHONE", NOW, NOW + timedelta(hours=1), 3, 2)


class Untouched:
    """A store or gate the hot path must not reach."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the hot path called {name}")


class HotGate:
    async def attempt(self, sale_id, user_id, request_id, qty, now, ip=""):
        return Decision(Outcome.ACCEPTED, f"{sale_id}:{user_id}:{request_id}:{qty}:{ip}")

    async def hold(self, sale_id, request_id):
        return (HOLD, 600_000) if request_id == "r1" else (None, 600_000)


class OneSaleGate:
    """The record and the SQL gate, as far as the hot path reads them."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def attempt(self, sale_id, user_id, request_id, qty, now, ip=""):
        self.calls.append("attempt")
        return Decision(Outcome.SOLD_OUT)

    def hold(self, sale_id, request_id):
        self.calls.append("hold")
        return HOLD

    def get(self, sale_id):
        return SALE


def _service(store, gate, hot=None, offloaded=None) -> FlashSaleService:
    async def offload(call):
        offloaded.append(call)
        return call()

    extra = {"offload": offload} if offloaded is not None else {}
    return FlashSaleService(store, gate, FakeAlerts(), FakeNotifications(), hot=hot, **extra)


def test_with_a_hot_gate_the_hot_path_reads_nothing_else():
    flash = _service(Untouched(), Untouched(), HotGate())

    decided = asyncio.run(flash.attempt_async("fs-phone", "u1", "r1", 2, NOW, "10.0.0.1"))
    mine = asyncio.run(flash.reservation("fs-phone", "r1", "u1"))
    theirs = asyncio.run(flash.reservation("fs-phone", "r1", "u2"))
    missing = asyncio.run(flash.reservation("fs-phone", "r9", "u1"))

    assert decided == Decision(Outcome.ACCEPTED, "fs-phone:u1:r1:2:10.0.0.1")
    assert mine == (HOLD, NOW + timedelta(minutes=10))
    assert theirs is None
    assert missing is None


def test_without_a_hot_gate_the_gate_runs_off_the_event_loop():
    offloaded: list = []
    record_and_gate = OneSaleGate()
    flash = _service(record_and_gate, record_and_gate, offloaded=offloaded)

    decided = asyncio.run(flash.attempt_async("fs-phone", "u1", "r2", 1, NOW))
    mine = asyncio.run(flash.reservation("fs-phone", "r1", "u1"))

    assert decided.outcome is Outcome.SOLD_OUT
    assert mine == (HOLD, SALE.pay_by(NOW))
    assert record_and_gate.calls == ["attempt", "hold"]
    assert len(offloaded) == 2  # one thread hop each: the hold and the sale read together


class Streams:
    def __init__(self, sales: list[str]) -> None:
        self.on_sale, self.joined, self.runs, self.forgotten = sales, [], [], []

    def writer(self, consumer, idle_ms):
        return self

    def holds(self, sale_id):
        return []

    def sales(self):
        return list(self.on_sale)

    def join(self, sale_id):
        self.joined.append(sale_id)

    def run_once(self, sale_id, count=200, block_ms=None):
        self.runs.append((sale_id, count))
        return 3

    def forget_gone(self, sale_id, idle_ms=600_000):
        self.forgotten.append(sale_id)
        return 0


def test_an_order_writer_joins_each_sale_once_and_writes_a_batch_of_each():
    streams = Streams(["fs-a"])
    flash = FlashSaleService(Untouched(), Untouched(), FakeAlerts(), FakeNotifications())
    assert flash.order_writer("w1") is None  # no streams: the SQL gate writes orders itself
    flash = FlashSaleService(
        Untouched(), Untouched(), FakeAlerts(), FakeNotifications(), streams=streams
    )
    writer = flash.order_writer("w1")
    assert writer is not None

    first = writer.write(50)
    streams.on_sale.append("fs-b")  # a sale opened since
    second = writer.write(50)
    writer.forget_gone()

    assert (first, second) == (3, 6)
    assert streams.joined == ["fs-a", "fs-b"]
    assert streams.runs == [("fs-a", 50), ("fs-a", 50), ("fs-b", 50)]
    assert sorted(streams.forgotten) == ["fs-a", "fs-b"]
