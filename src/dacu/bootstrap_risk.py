"""The wiring of risk control (plan 004 风险管理): identity links and their clusters,
and the facts rules read. `risk_of` gives the `Platform` fields it makes."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.gates import redis_client
from dacu.adapters.risk_facts import SqlRiskFacts
from dacu.adapters.risk_link_cache import ClusterCache, LocalClusterCache, RedisClusterCache
from dacu.adapters.risk_links import SqlIdentityLinks


def risk_of(
    engine: Engine,
    redis_url: str | None,
    redis_prefix: str,
    clock: Callable[[], datetime],
) -> dict[str, Any]:
    """`risk_links` (clusters cached in Redis when configured, in the process otherwise)
    and `risk_facts`."""
    cache: ClusterCache = (
        LocalClusterCache()
        if redis_url is None
        else RedisClusterCache(redis_client(redis_url), redis_prefix)
    )
    links = SqlIdentityLinks(engine, cache)
    return {"risk_links": links, "risk_facts": SqlRiskFacts(engine, merging=links.merging)}
