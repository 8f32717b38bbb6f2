"""A Redis Cluster whose nodes lost their scripts (a restart, a failover): the gate loads
them again and decides each attempt once."""

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.redis_connect import async_client, redis_client
from dacu.adapters.redis_gate import AsyncRedisGate, RedisStockGate
from dacu.domain.flashsale import FlashSale
from tests.integration.conftest import REDIS_CLUSTER, redis_keys, redis_url_of

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = START + timedelta(seconds=1)


@pytest.fixture(params=[REDIS_CLUSTER])  # SCRIPT FLUSH: not on a Redis others share
def url(request: pytest.FixtureRequest) -> str:
    found = redis_url_of(request.param)
    assert found is not None
    return found


def sales(ids: list[str]) -> list[FlashSale]:
    end = START + timedelta(hours=1)
    return [FlashSale(i, "P-PHONE", START, end, 10, 1, user_rate=1) for i in ids]


def test_scripts_lost_on_every_node_are_loaded_again_and_each_attempt_runs_once(url):
    with redis_keys(url) as (client, prefix):
        gate = RedisStockGate(client, prefix)
        ids = [f"s{i}" for i in range(6)]  # on a cluster, spread over its nodes
        for sale in sales(ids):
            gate.open(sale)
        client.script_flush()  # every primary forgets every script
        # when: one pipelined attempt per sale, each buyer allowed one attempt a second
        decided = [gate.attempt_many(i, [("u1", f"r-{i}", 1)], NOW)[0] for i in ids]
        # then: each decided once, none counted twice against the buyer's rate
        assert all(d.accepted for d in decided), decided
        assert [gate.remaining(i) for i in ids] == [9] * 6


def test_the_async_gate_loads_lost_scripts_and_answers_each_attempt_once(url):
    with redis_keys(url) as (client, prefix):
        for sale in sales(["a1"]):
            RedisStockGate(client, prefix).open(sale)
        client.script_flush()

        async def burst() -> list[bool]:
            gate = AsyncRedisGate(async_client(url), prefix)
            try:
                tries = [gate.attempt("a1", f"u{i}", f"r{i}", 1, NOW) for i in range(5)]
                return [d.accepted for d in await asyncio.gather(*tries)]
            finally:
                await gate.client.aclose()

        assert asyncio.run(burst()) == [True] * 5
        assert RedisStockGate(redis_client(url), prefix).remaining("a1") == 5
