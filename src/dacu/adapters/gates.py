"""Which stock gate a process uses: Redis when configured, else the database's."""

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
import redis
import redis.asyncio as aioredis
from sqlalchemy import Engine

from dacu.adapters.order_writer import RedisOrderStreams
from dacu.adapters.redis_gate import AsyncRedisGate, RedisStockGate
from dacu.adapters.sql_gate import SqlStockGate
from dacu.domain.flashsale import StockGate

T = TypeVar("T")


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


def order_streams(
    engine: Engine, redis_url: str | None, prefix: str = "dacu"
) -> RedisOrderStreams | None:
    """The Redis gate's order streams; None without Redis (the SQL gate writes orders itself)."""
    if redis_url is None:
        return None
    return RedisOrderStreams(redis_client(redis_url), engine, prefix)


async def in_thread(call: Callable[[], T]) -> T:
    """A blocking gate call run in the server's worker threads (as FastAPI runs sync routes)."""
    return await anyio.to_thread.run_sync(call)
