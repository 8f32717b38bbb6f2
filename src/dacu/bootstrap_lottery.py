"""The composition root's part for the lottery 摇摇欲坠: the SQL book, the draw engine
(a Redis script where Redis is configured, SQL otherwise), the reward giver and the
writers of the draws Redis made."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from dacu.adapters.checkout_writer import WritingBehind
from dacu.adapters.gates import redis_client
from dacu.adapters.lottery_redis import RedisDrawEngine
from dacu.adapters.lottery_store import SqlDrawEngine, SqlLotteryBook
from dacu.adapters.lottery_writer import LotteryWriter
from dacu.services.coupons import CouponService
from dacu.services.lottery import Campaigns, LotteryService
from dacu.services.lottery_giver import InterimGiver
from dacu.services.ports.coins import CoinLedger
from dacu.services.ports.lottery import DrawEngine
from dacu.services.ports.rewards import RewardGiver
from dacu.services.ports.risk import RiskCheck


def draw_engine(engine: Engine, redis_url: str | None, prefix: str) -> DrawEngine:
    if redis_url is None:
        return SqlDrawEngine(engine)
    return RedisDrawEngine(redis_client(redis_url), engine, prefix)


def lottery_writer(
    engine: Engine, redis_url: str | None, prefix: str, consumer: str, idle_ms: int = 30_000
) -> LotteryWriter | None:
    """A writer of the draws Redis made, under `consumer`; None without Redis (draws are
    written as they are made)."""
    if redis_url is None:
        return None
    draws = RedisDrawEngine(redis_client(redis_url), engine, prefix)
    return LotteryWriter(draws, consumer, idle_ms)


def lottery_writing_behind(
    engine: Engine, redis_url: str | None, prefix: str, consumer: str
) -> WritingBehind | None:
    """The lottery writer an API process runs in a thread of its own (not started)."""
    writer = lottery_writer(engine, redis_url, prefix, consumer)
    if writer is None:
        return None
    return WritingBehind(writer, block_ms=50, name="lottery-writer")


def lottery_of(
    engine: Engine,
    redis_url: str | None,
    prefix: str,
    campaigns: Campaigns,
    risk: RiskCheck,
    coins: CoinLedger,
    coupons: CouponService,
    clock: Callable[[], datetime],
    ids: Callable[[], str],
    giver: RewardGiver | None = None,
) -> LotteryService:
    """The lottery over `engine` (and Redis, given a URL); `giver` defaults to one that
    gives coins and coupons at once and leaves top-ups and physical prizes pending."""
    given = giver or InterimGiver(coins, coupons.grant)
    return LotteryService(
        SqlLotteryBook(engine),
        draw_engine(engine, redis_url, prefix),
        campaigns,
        risk,
        given,
        clock,
        ids,
    )


__all__ = ["LotteryService", "lottery_of", "lottery_writer", "lottery_writing_behind"]
