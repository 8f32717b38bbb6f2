"""A hot sale split into buckets on one Redis and on a Redis Cluster: a bucket sold out
borrows from its siblings in two steps, and nothing is ever sold twice or lost."""

import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.redis_buckets import BucketedStockGate
from dacu.domain.flashsale import FlashSale, Outcome
from tests.integration.conftest import REDIS, REDIS_CLUSTER, redis_keys, redis_url_of

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = START + timedelta(seconds=1)


@pytest.fixture(params=[REDIS, REDIS_CLUSTER])
def gate(request: pytest.FixtureRequest) -> Iterator[BucketedStockGate]:
    with redis_keys(redis_url_of(request.param)) as (client, prefix):
        yield BucketedStockGate(client, prefix, buckets=3)


def sale(stock: int, limit: int = 2, user_rate: int = 100) -> FlashSale:
    end = START + timedelta(hours=1)
    return FlashSale("hot", "P-PHONE", START, end, stock, limit, user_rate=user_rate)


def buyers_of(bucket: int, count: int) -> list[str]:
    """`count` user ids that go to `bucket` of 3."""
    found = (f"u{i}" for i in range(100_000) if zlib.crc32(f"u{i}".encode()) % 3 == bucket)
    return [next(found) for _ in range(count)]


def test_a_bucket_sold_out_borrows_from_its_siblings(gate):
    # given: 3 units, one a bucket
    gate.open(sale(stock=3))
    first, second = buyers_of(0, 2)
    # when: one bucket's buyers want more than its one unit
    assert gate.attempt("hot", first, "r1", 2, NOW).accepted
    assert gate.attempt("hot", second, "r2", 1, NOW).accepted
    # then: the sale's 3 units sold, no more
    assert gate.remaining("hot") == 0
    assert gate.attempt("hot", buyers_of(1, 1)[0], "r3", 1, NOW).outcome is Outcome.SOLD_OUT
    assert gate.in_flight("hot") == 0


def test_an_attempt_after_borrowing_counts_once_against_the_buyers_rate(gate):
    gate.open(sale(stock=3, user_rate=1))
    buyer, other = buyers_of(2, 2)
    assert gate.attempt("hot", other, "r1", 1, NOW).accepted  # bucket 2's one unit
    assert gate.attempt("hot", buyer, "r2", 1, NOW).accepted  # borrowed, counted once


def test_units_taken_and_not_given_are_given_by_finish_moves_once(gate):
    # given: a process took 2 units from bucket 1 for bucket 0, and died
    gate.open(sale(stock=9))
    moved = gate._take(keys=[gate._keys("hot", 1)[0], gate._moves("hot", 1)], args=["m1", 2, 0])
    assert moved == 2
    assert gate.remaining("hot") == 7
    assert gate.in_flight("hot") == 2  # on no bucket: nobody can buy them meanwhile
    # when
    assert gate.finish_moves("hot") == 2
    assert gate.finish_moves("hot") == 0
    # then
    assert gate.remaining("hot") == 9
    assert gate.in_flight("hot") == 0


def test_a_skewed_storm_sells_exactly_the_stock_across_buckets(gate):
    # given: 300 units over 3 buckets; 4 in 5 attempts come from bucket 0's buyers
    gate.open(sale(stock=300, limit=2))
    hot, cold = buyers_of(0, 800), buyers_of(1, 100) + buyers_of(2, 100)
    people = [hot[i % 800] if i % 5 else cold[i % 200] for i in range(4000)]
    tries = [(user, f"r{i}") for i, user in enumerate(people)]

    def attempt(pair: tuple[str, str]) -> Outcome:
        return gate.attempt("hot", pair[0], pair[1], 1, NOW).outcome

    # when
    with ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = list(pool.map(attempt, tries))
    # then: every unit sold once, none in flight, nobody over the limit
    assert outcomes.count(Outcome.ACCEPTED) == 300
    assert set(outcomes) <= {Outcome.ACCEPTED, Outcome.SOLD_OUT, Outcome.OVER_LIMIT}
    assert gate.remaining("hot") == 0
    assert gate.in_flight("hot") == 0
    bought = [gate.bought("hot", user) for user in set(people)]
    assert max(bought) <= 2
    assert sum(bought) == 300


def test_pipelined_attempts_borrow_too(gate):
    gate.open(sale(stock=200, limit=2))
    hot = buyers_of(1, 600)
    tries = [(hot[i % 600], f"p{i}", 1) for i in range(2000)]
    batches = [tries[i : i + 50] for i in range(0, 2000, 50)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        decided = [
            d
            for batch in pool.map(lambda b: gate.attempt_many("hot", b, NOW), batches)
            for d in batch
        ]
    assert sum(d.accepted for d in decided) == 200
    assert gate.remaining("hot") == 0
    assert gate.in_flight("hot") == 0
