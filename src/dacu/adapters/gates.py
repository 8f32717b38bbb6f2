"""Which stock gate a process uses: Redis when configured, else the database's."""

import redis
import redis.asyncio as aioredis
from sqlalchemy import Engine

from dacu.adapters.redis_gate import AsyncRedisGate, RedisStockGate
from dacu.adapters.sql_gate import SqlStockGate
from dacu.domain.flashsale import StockGate


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def stock_gate(engine: Engine, redis_url: str | None, prefix: str = "dacu") -> StockGate:
    if redis_url is None:
        return SqlStockGate(engine)
    return RedisStockGate(redis_client(redis_url), prefix)


def async_gate(redis_url: str | None, prefix: str = "dacu") -> AsyncRedisGate | None:
    """The hot path's gate for async handlers; None without Redis (the SQL gate serves)."""
    if redis_url is None:
        return None
    pool = aioredis.BlockingConnectionPool.from_url(
        redis_url, socket_timeout=5, socket_connect_timeout=2, max_connections=64, timeout=5
    )
    return AsyncRedisGate(aioredis.Redis.from_pool(pool), prefix)
