"""The bench's world for the risk engine: a crowd's deeds (`queries`), the engine wired
as `dacu serve` wires it over SQL or Redis (`engine_of`), and the run's Redis keys
forgotten after it (`forget`): shared by `bench/risk.py` and `bench/risk_flash.py`."""

import argparse
import gc
import sys
from datetime import datetime, timedelta
from typing import Any

import redis

from bench.flashsale import REDIS, SHANGHAI
from dacu.adapters.db import make_engine
from dacu.adapters.risk_link_cache import NearClusterCache, RedisClusterCache
from dacu.adapters.risk_links import SqlIdentityLinks
from dacu.adapters.risk_shared import RedisSharedAccounts
from dacu.bootstrap_risk import rules_of
from dacu.domain.risk import Action, Identity, RiskQuery

MIX = (
    Action.COUPON_CLAIM,
    Action.LOTTERY_DRAW,
    Action.INVITE_REWARD,
    Action.FLASH_ATTEMPT,
    Action.CHECKOUT,
    Action.REGISTRATION_REWARD,
)


def queries(customers: int, count: int, start: datetime) -> list[RiskQuery]:
    """Deeds of `customers` accounts: two to a device, eight to an IP (households,
    offices), each its own delivery address and payment account."""
    found = []
    for i in range(count):
        c = i % customers
        identity = Identity(
            device=f"dev-{c // 2}",
            ip=f"10.0.{c // 8 // 250}.{c // 8 % 250}",
            address=f"addr-{c}",
            payment_account=f"pay-{c}",
            phone=f"+86139{c:08d}",
        )
        action = MIX[i % len(MIX)]
        found.append(
            RiskQuery(
                action,
                f"b{c}",
                start + timedelta(milliseconds=i),
                "bench",
                500,
                f"s{i}",
                {},
                identity,
            )
        )
    return found


def engine_of(url: str, redis_url: str | None, prefix: str) -> Any:
    from dacu.adapters.risk_facts import SqlRiskFacts  # the facts rules read, in SQL

    engine = make_engine(url)
    cache, shared = None, None
    if redis_url is not None:  # clusters cached and shared accounts counted in Redis
        cache = NearClusterCache(RedisClusterCache(redis.Redis.from_url(redis_url), prefix))
        shared = RedisSharedAccounts(redis.Redis.from_url(redis_url), prefix)
    links = SqlIdentityLinks(engine, cache)
    clock = lambda: datetime.now(SHANGHAI)  # noqa: E731
    facts = SqlRiskFacts(engine, shared=shared)
    risk = rules_of(engine, redis_url, prefix, clock, links, facts)["risk"]
    gc.freeze()  # what the process built kept out of the collector's full sweeps, as
    return risk  # `dacu serve`'s process does once built (`entrypoints/api/main.py`)


def handover(args: argparse.Namespace) -> None:
    """`--switch-ms`: the interpreter's switch interval set after the wiring set its own
    (`bootstrap_risk.quick_handover`), to measure without it (5: Python's default)."""
    if args.switch_ms:
        sys.setswitchinterval(args.switch_ms / 1000)


def forget(prefix: str) -> None:
    """The run's Redis keys, gone."""
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{prefix}*", count=1000):
        client.delete(key)
    client.close()
