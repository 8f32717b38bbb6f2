"""One contract for the risk counters in the process, in SQL (SQLite, PostgreSQL) and in
Redis: a count
at t over w seconds holds every hit in (t - w, t], exact to the second; keys and
windows are independent; concurrent hits are all counted; `hit_many` equals its hits.
On one Redis server, the check's one script (`hit_many_seen`, a plain EVALSHA) is
loaded where Redis lost it, and counts once."""

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dacu.adapters.redis_connect import run_one
from dacu.adapters.risk_counters import (
    CHECK,
    LocalRiskCounters,
    RedisRiskCounters,
    SqlRiskCounters,
)
from dacu.adapters.risk_shared import RedisSharedAccounts
from tests.integration.conftest import (
    POSTGRES,
    REDIS,
    REDIS_CLUSTER,
    postgres_engine,
    redis_keys,
    redis_url_of,
    sqlite_engine,
)

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["local", "sqlite", POSTGRES, REDIS, REDIS_CLUSTER])
def counters(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "local":
        yield LocalRiskCounters()
        return
    if request.param.startswith("redis"):
        with redis_keys(redis_url_of(request.param)) as (client, prefix):
            yield RedisRiskCounters(client, prefix)
        return
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    with made as engine:
        yield SqlRiskCounters(engine)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_window_holds_the_last_w_seconds_exactly(counters):
    assert counters.hit("k", 60, at(0)) == 1
    assert counters.hit("k", 60, at(30)) == 2
    assert counters.hit("k", 60, at(59)) == 3
    assert counters.count("k", 60, at(59.999)) == 3
    assert counters.count("k", 60, at(60)) == 2  # the hit at 0 is exactly 60 s old: out
    assert counters.hit("k", 60, at(60)) == 3
    assert counters.count("k", 60, at(89)) == 3
    assert counters.count("k", 60, at(90)) == 2
    assert counters.count("k", 60, at(200)) == 0


def test_keys_are_independent_and_n_counts_n(counters):
    assert counters.hit("a", 3600, at(0), n=3) == 3
    assert counters.hit("b", 3600, at(1)) == 1
    assert counters.count("a", 3600, at(2)) == 3
    assert counters.count("never", 3600, at(2)) == 0


def test_a_count_of_the_past_ignores_later_hits(counters):
    counters.hit("k", 60, at(10))
    counters.hit("k", 60, at(20))
    assert counters.count("k", 60, at(15)) == 1


def test_hit_many_counts_each_key_in_its_window(counters):
    counters.hit("x", 10, at(0))
    found = counters.hit_many([("x", 10, 1), ("y", 3600, 2)], at(5))
    assert found == [2, 2]
    assert counters.hit_many([("x", 10, 1)], at(12)) == [2]  # the hit at 0 slid out
    assert counters.hit_many([], at(12)) == []


def test_concurrent_hits_are_all_counted(counters):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: counters.hit("busy", 3600, at(i % 10)), range(80)))
    assert counters.count("busy", 3600, at(10)) == 80


def test_a_check_on_a_redis_that_lost_its_script_loads_it_and_counts_once():
    with redis_keys() as (client, prefix):
        counters = RedisRiskCounters(client, prefix)
        # given: the check's script as a Redis restarted or flushed holds it (not at all)
        counters._check = client.register_script(f"{CHECK}\n-- {uuid.uuid4().hex}")
        assert client.script_exists(counters._check.sha) == [False]
        shared = RedisSharedAccounts(client, prefix)
        seen = shared.calls("buyer-1", ["device-1"])
        # when: the check is sent twice
        first = counters.hit_many_seen([("k", 60, 1)], at(0), seen)
        second = counters.hit_many_seen(
            [("k", 60, 1)], at(1), shared.calls("buyer-2", ["device-1"])
        )
        # then: NOSCRIPT loaded it, and each call counted its hit and account once
        assert client.script_exists(counters._check.sha) == [True]
        assert (first[0], second[0]) == ([1], [2])
        assert (first[1][0][0], second[1][0][0]) == (1, 2)
        assert counters.count("k", 60, at(1)) == 2


def test_run_one_loads_a_script_redis_does_not_hold_and_runs_it_once():
    with redis_keys() as (client, prefix):
        script = client.register_script(
            f"-- {uuid.uuid4().hex}\nreturn redis.call('INCR', KEYS[1])"
        )
        key = f"{prefix}:ran"
        assert run_one(client, script, [key], []) == 1  # NOSCRIPT, loaded, sent again
        assert run_one(client, script, [key], []) == 2
