"""Which stock gate a process uses: Redis when configured, else the database's."""

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from sqlalchemy import Engine

from dacu.adapters.order_writer import RedisOrderStreams
from dacu.adapters.redis_connect import async_client, redis_client
from dacu.adapters.redis_gate import AsyncRedisGate, RedisStockGate
from dacu.adapters.sql_gate import SqlStockGate
from dacu.domain.flashsale import StockGate

T = TypeVar("T")

__all__ = ["async_gate", "in_thread", "order_streams", "redis_client", "stock_gate"]


def stock_gate(engine: Engine, redis_url: str | None, prefix: str = "dacu") -> StockGate:
    if redis_url is None:
        return SqlStockGate(engine)
    return RedisStockGate(redis_client(redis_url), prefix)


def async_gate(redis_url: str | None, prefix: str = "dacu") -> AsyncRedisGate | None:
    """The hot path's gate for async handlers; None without Redis (the SQL gate serves)."""
    if redis_url is None:
        return None
    return AsyncRedisGate(async_client(redis_url), prefix)


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
