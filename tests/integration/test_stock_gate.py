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
from dacu.adapters.sql_gate import SqlStockGate
from dacu.domain.flashsale import FlashSale, GateUnavailable, Outcome, StockGate
from tests.integration.conftest import POSTGRES, REDIS, REDIS_URL, postgres_engine, sqlite_engine

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = START + timedelta(seconds=1)


@pytest.fixture(params=["sqlite", POSTGRES, REDIS])
def gate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StockGate]:
    if request.param == "redis":
        assert REDIS_URL is not None
        client = redis.Redis.from_url(REDIS_URL)
        prefix = f"test-{uuid.uuid4().hex[:10]}"
        yield RedisStockGate(client, prefix)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
        return
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        yield SqlStockGate(engine)


def sale(stock: int = 5, limit: int = 2) -> FlashSale:
    return FlashSale("fs-20h", "P-PHONE", START, START + timedelta(hours=1), stock, limit)


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


def test_a_storm_never_oversells_nor_breaks_the_limit(gate):
    # given: 2,000 attempts from 500 buyers on 100 units, 2 each at most
    gate.open(sale(stock=100, limit=2))
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
