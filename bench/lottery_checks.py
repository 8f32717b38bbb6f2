"""What `bench/lottery.py` checks after a storm: the draws written behind, chances granted
to every drawer, and the invariants — no prize past its stock, the budget line not
passed, every chance used a draw, the counters as the draws say."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.lottery_fold import POOL, budget_line, fold_all
from dacu.adapters.lottery_redis import RedisDrawEngine
from dacu.adapters.lottery_store import SqlLotteryBook
from dacu.adapters.lottery_writer import LotteryWriter
from dacu.adapters.tables import lottery_chances, lottery_draws, lottery_given
from dacu.domain.lottery import Lottery

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN = "launch-2026-09"


def written(draw_engine: Any) -> dict[str, Any]:
    """Every draw the Redis engine made written behind (by a writer taking over what any
    other left); how long the rest took after the drawing stopped."""
    if not isinstance(draw_engine, RedisDrawEngine):
        return {}
    started = time.monotonic()
    done = LotteryWriter(draw_engine, "bench", idle_ms=0).drain()
    took = time.monotonic() - started
    return {"written_after": done, "written_after_s": round(took, 2)}


def grant_all(engine: Engine, customers: list[str], chances: int) -> None:
    book, now = SqlLotteryBook(engine), datetime.now(SHANGHAI)
    with ThreadPoolExecutor(max_workers=16) as threads:
        list(
            threads.map(
                lambda c: book.grant([("bench", "bench", chances)], CAMPAIGN, c, now), customers
            )
        )


def invariants(engine: Engine, lottery: Lottery) -> dict[str, Any]:
    given = SqlLotteryBook(engine).given(CAMPAIGN)
    with engine.connect() as connection:
        draws = int(connection.scalar(select(func.count()).select_from(lottery_draws)) or 0)
        used = int(connection.scalar(select(func.sum(lottery_chances.c.used))) or 0)
        spent = int(
            connection.scalar(select(func.coalesce(func.sum(lottery_draws.c.value), 0))) or 0
        )
    over = [p.id for p in lottery.prizes if p.stock is not None and given.get(p.id, 0) > p.stock]
    return {
        "draws": draws,
        "chances_used": used,
        "given": {p.id: given.get(p.id, 0) for p in lottery.prizes},
        "stock": {p.id: p.stock for p in lottery.prizes},
        "budget_drawn": spent,
        "budget": lottery.budget,
        "no_stock_below_zero": not over,
        "budget_within_cap": spent <= lottery.budget,
        "chances_match_draws": used == draws,
        "counters_match_draws": _counters_match(engine, given, spent),
    }


def _counters_match(engine: Engine, given: dict[str, int], spent: int) -> bool:
    """Fold what is left uncounted; then the counters say what the draws say."""
    fold_all(engine)
    g = lottery_given.c
    with engine.connect() as connection:
        rows = connection.execute(select(g.prize_id, g.given).where(g.campaign_id == CAMPAIGN))
        counted = {prize: int(n) for prize, n in rows if int(n)}
        line = SqlBudgets(connection).drawn(budget_line(CAMPAIGN))[0]
    return counted == {p: n for p, n in given.items() if n} and line == spent and POOL in counted
