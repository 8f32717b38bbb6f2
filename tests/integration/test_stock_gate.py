"""The stock gate's contract: every backend — SQL on SQLite and PostgreSQL, Redis —
gives the same answers, and none sells more than its stock under a storm."""

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.redis_scripts import ATTEMPT, sale_keys
from dacu.adapters.sql_gate import SqlStockGate
from dacu.domain.flashsale import FlashSale, GateUnavailable, HoldState, Outcome, StockGate
from tests.integration.conftest import (
    POSTGRES,
    REDIS,
    REDIS_CLUSTER,
    REDIS_URL,
    postgres_engine,
    redis_keys,
    redis_url_of,
    sqlite_engine,
)

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = START + timedelta(seconds=1)


@pytest.fixture(params=["sqlite", POSTGRES, REDIS, REDIS_CLUSTER])
def gate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StockGate]:
    if request.param.startswith("redis"):
        with redis_keys(redis_url_of(request.param)) as (client, prefix):
            yield RedisStockGate(client, prefix)
        return
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        yield SqlStockGate(engine)


def sale(stock: int = 5, limit: int = 2, user_rate: int = 5, ip_rate: int = 200) -> FlashSale:
    end = START + timedelta(hours=1)
    return FlashSale(
        "fs-20h", "P-PHONE", START, end, stock, limit, user_rate=user_rate, ip_rate=ip_rate
    )


def test_sells_within_stock_then_refuses(gate):
    gate.open(sale(stock=3, limit=5))
    assert gate.attempt("fs-20h", "u1", "r1", 2, NOW).accepted
    assert gate.attempt("fs-20h", "u2", "r2", 2, NOW).outcome is Outcome.SOLD_OUT
    assert gate.attempt("fs-20h", "u2", "r3", 1, NOW).accepted
    assert gate.remaining("fs-20h") == 0


def test_a_retried_request_gets_the_same_answer_and_no_more_stock(gate):
    gate.open(sale())
    first = gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    again = gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    assert again == first
    assert gate.remaining("fs-20h") == 4
    assert gate.bought("fs-20h", "u1") == 1


def test_nobody_buys_beyond_the_limit(gate):
    gate.open(sale(limit=2))
    assert gate.attempt("fs-20h", "u1", "r1", 2, NOW).accepted
    assert gate.attempt("fs-20h", "u1", "r2", 1, NOW).outcome is Outcome.OVER_LIMIT
    assert gate.remaining("fs-20h") == 3  # the refusal took nothing


def test_the_sale_opens_at_its_start_and_refuses_outside_its_window(gate):
    gate.open(sale())
    early = gate.attempt("fs-20h", "u1", "r1", 1, START - timedelta(seconds=1))
    late = gate.attempt("fs-20h", "u1", "r2", 1, START + timedelta(hours=2))
    assert early.outcome is Outcome.NOT_STARTED
    assert late.outcome is Outcome.ENDED


def test_an_unknown_sale_is_never_stock(gate):
    assert gate.attempt("nope", "u1", "r1", 1, NOW).outcome is Outcome.UNKNOWN_SALE


def test_release_gives_the_units_back_once(gate):
    gate.open(sale(stock=1))
    gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    assert gate.release("fs-20h", "r1")
    assert not gate.release("fs-20h", "r1")
    assert gate.remaining("fs-20h") == 1
    assert gate.bought("fs-20h", "u1") == 0
    assert gate.attempt("fs-20h", "u2", "r2", 1, NOW).accepted


def test_a_released_request_stays_released_on_retry(gate):
    # a retry of an expired hold must not take stock again under the old request id
    gate.open(sale(stock=1))
    gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    gate.release("fs-20h", "r1")
    assert gate.attempt("fs-20h", "u1", "r1", 1, NOW).outcome is Outcome.RELEASED
    assert gate.remaining("fs-20h") == 1


def test_a_paid_hold_is_never_released(gate):
    gate.open(sale())
    gate.attempt("fs-20h", "u1", "r1", 2, NOW)
    assert gate.settle("fs-20h", "r1")
    assert gate.settle("fs-20h", "r1")  # paying twice is one payment
    assert not gate.release("fs-20h", "r1")
    hold = gate.hold("fs-20h", "r1")
    assert hold is not None
    assert (hold.user_id, hold.qty, hold.state) == ("u1", 2, HoldState.PAID)
    assert gate.remaining("fs-20h") == 3
    assert not gate.settle("fs-20h", "nope")


def test_one_buyers_request_id_is_not_another_buyers(gate):
    gate.open(sale())
    gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    assert gate.attempt("fs-20h", "u2", "r1", 1, NOW).outcome is Outcome.REQUEST_TAKEN
    assert gate.remaining("fs-20h") == 4


def test_opening_again_never_resets_live_stock(gate):
    assert gate.open(sale(stock=5))
    gate.attempt("fs-20h", "u1", "r1", 2, NOW)
    assert not gate.open(sale(stock=5))
    assert gate.remaining("fs-20h") == 3


def test_restock_puts_more_on_sale(gate):
    gate.open(sale(stock=1))
    gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    assert gate.restock("fs-20h", 10) == 10
    assert gate.attempt("fs-20h", "u2", "r2", 1, NOW).accepted
    with pytest.raises(KeyError):
        gate.restock("nope", 1)


def test_rate_limits_refuse_a_buyer_or_an_address_hammering_the_sale(gate):
    gate.open(sale(stock=100, limit=100, user_rate=3, ip_rate=5))
    mine = [gate.attempt("fs-20h", "u1", f"a{i}", 1, NOW, "10.0.0.1").outcome for i in range(4)]
    assert mine == [Outcome.ACCEPTED] * 3 + [Outcome.USER_RATE_LIMITED]
    others = [
        gate.attempt("fs-20h", f"v{i}", f"b{i}", 1, NOW, "10.0.0.1").outcome for i in range(3)
    ]
    assert others == [Outcome.ACCEPTED] * 2 + [Outcome.IP_RATE_LIMITED]
    later = NOW + timedelta(seconds=1)  # a new second, a new allowance
    assert gate.attempt("fs-20h", "u1", "a9", 1, later, "10.0.0.1").accepted
    assert gate.attempt("fs-20h", "u2", "c1", 1, NOW, "10.0.0.2").accepted
    assert gate.remaining("fs-20h") == 100 - 3 - 2 - 2


def test_holds_list_what_the_gate_holds(gate):
    gate.open(sale())
    first = gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    gate.attempt("fs-20h", "u2", "r2", 2, NOW)
    gate.release("fs-20h", "r2")
    holds = {hold.request_id: hold for hold in gate.holds("fs-20h")}
    assert holds["r1"].reservation == first.reservation
    assert holds["r1"].accepted_at == NOW.replace(microsecond=NOW.microsecond // 1000 * 1000)
    assert {r: (h.user_id, h.qty, h.state) for r, h in holds.items()} == {
        "r1": ("u1", 1, HoldState.HELD),
        "r2": ("u2", 2, HoldState.RELEASED),
    }


def test_repair_makes_the_gate_agree_with_the_record(gate):
    # given: the record says r1 is paid and r3 (which the gate never saw) is held
    gate.open(sale(stock=5))
    gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    gate.attempt("fs-20h", "u2", "r2", 1, NOW)
    held = gate.hold("fs-20h", "r1")
    assert held is not None
    lost = type(held)("r3", "lost-1", "u3", 2, HoldState.HELD, NOW)
    # when
    on_sale = gate.repair(
        sale(stock=6), [held.__class__(**{**_fields(held), "state": HoldState.PAID}), lost]
    )
    # then: 6 in all, 1 + 1 + 2 held
    assert on_sale == 2 == gate.remaining("fs-20h")
    assert gate.bought("fs-20h", "u3") == 2
    assert gate.hold("fs-20h", "r1").state is HoldState.PAID
    assert gate.hold("fs-20h", "r2").state is HoldState.HELD  # kept: newer than the record


def _fields(hold):
    return {name: getattr(hold, name) for name in hold.__slots__}


def test_a_storm_never_oversells_nor_breaks_the_limit(gate):
    # given: 2,000 attempts from 500 buyers on 100 units, 2 each at most
    gate.open(sale(stock=100, limit=2, user_rate=100))
    attempts = [(f"u{i % 500}", f"r{i}") for i in range(2000)]

    def attempt(pair: tuple[str, str]) -> Outcome:
        return gate.attempt("fs-20h", pair[0], pair[1], 1, NOW).outcome

    # when
    with ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = list(pool.map(attempt, attempts))
    # then
    assert outcomes.count(Outcome.ACCEPTED) == 100
    assert gate.remaining("fs-20h") == 0
    assert max(gate.bought("fs-20h", f"u{i}") for i in range(500)) <= 2
    assert sum(gate.bought("fs-20h", f"u{i}") for i in range(500)) == 100


def test_redis_unreachable_fails_closed():
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    gate = RedisStockGate(client, "nowhere")
    with pytest.raises(GateUnavailable):
        gate.attempt("fs-20h", "u1", "r1", 1, NOW)


@pytest.mark.skipif(not REDIS_URL, reason="set DACU_TEST_REDIS_URL")
def test_the_script_refuses_a_quantity_that_would_add_stock():
    # a caller bypassing the Python checks must not turn a purchase into a restock
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    RedisStockGate(client, prefix).open(sale(stock=1))
    keys = sale_keys(prefix, "fs-20h")
    with pytest.raises(redis.ResponseError, match="qty"):
        client.eval(ATTEMPT, 5, *keys, f"{keys[0]}:rate:0", "u1", "r1", -5, _ms(NOW), "")
    assert RedisStockGate(client, prefix).remaining("fs-20h") == 1
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.mark.skipif(not REDIS_URL, reason="set DACU_TEST_REDIS_URL")
def test_an_attempt_on_a_redis_that_lost_the_script_loads_it_and_runs_once():
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    gate = RedisStockGate(client, prefix)
    gate.open(sale(stock=3))
    # given: the attempt's script as a Redis restarted or flushed holds it (not at all)
    gate._attempt = client.register_script(f"{ATTEMPT}\n-- {uuid.uuid4().hex}")
    assert client.script_exists(gate._attempt.sha) == [False]
    # when: a buyer attempts
    decided = gate.attempt("fs-20h", "u1", "r1", 1, NOW)
    # then: NOSCRIPT loaded it, and the attempt took its unit once
    assert decided.accepted
    assert client.script_exists(gate._attempt.sha) == [True]
    assert gate.remaining("fs-20h") == 2
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
