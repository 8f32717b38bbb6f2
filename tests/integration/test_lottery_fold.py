"""Draws written uncounted (as the Redis engine wrote them before its draws were written
behind in batches) are folded into the campaign's counters exactly once whatever
crashes between, every figure counts what is not yet folded, a Redis rebuilt from SQL
never gives past a stock or the budget line, and the SQL draw is right over them."""

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
from sqlalchemy import Engine, func, select

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.lottery_fold import POOL, budget_line, fold, fold_all, pool_figures
from dacu.adapters.lottery_redis import RedisDrawEngine
from dacu.adapters.lottery_store import SqlDrawEngine, SqlLotteryBook, record_draw, use_chance
from dacu.adapters.lottery_writer import LotteryWriter
from dacu.adapters.tables import lottery_draws, lottery_given
from dacu.domain.lottery import Draw, DrawTicket, Lottery, NoChance, Prize
from dacu.domain.rewards import Reward, RewardKind
from dacu.services.ports.lottery import DrawEngine
from tests.integration.conftest import (
    NO_POSTGRES,
    NO_REDIS,
    POSTGRES_URL,
    REDIS_URL,
    postgres_engine,
    sqlite_engine,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS),
]
AT = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
CAMPAIGN = "launch"


def prize(pid: str, weight: int, stock: int | None, value: int = 0) -> Prize:
    kind = RewardKind.TOP_UP if value else RewardKind.NOTHING
    return Prize(pid, pid, Reward(kind, pid, value), weight, stock)


POOL_OF = Lottery(
    (prize("phone-10", 30, 5, 1000), prize("phone-30", 10, 3, 3000), prize("thanks", 60, None)),
    budget=10_000,
)


@dataclass
class World:
    sql: Engine
    client: redis.Redis
    prefix: str
    book: SqlLotteryBook

    def engine(self) -> RedisDrawEngine:
        return RedisDrawEngine(self.client, self.sql, self.prefix)

    def uncounted(self, customer: str, key: str, prize_id: str = "phone-10") -> None:
        """A draw written with its chance, not yet counted."""
        ticket = DrawTicket(CAMPAIGN, customer, key, uuid.uuid4().hex, 0, AT)
        with self.sql.begin() as connection:
            record_draw(connection, ticket, POOL_OF.prize(prize_id), counted=False)
            assert use_chance(connection, CAMPAIGN, customer)

    def grant(self, engine: DrawEngine, customer: str, n: int) -> None:
        if self.book.grant([("first_visit", "first_visit", n)], CAMPAIGN, customer, AT):
            engine.granted(CAMPAIGN, customer, self.book.chances(CAMPAIGN, customer)[0])

    def wipe_redis(self) -> None:
        for key in self.client.scan_iter(f"{self.prefix}:lottery:*"):
            self.client.delete(key)

    def counters(self) -> tuple[dict[str, int], int]:
        """What the counters hold, the draws not yet folded left out."""
        g = lottery_given.c
        with self.sql.connect() as connection:
            rows = connection.execute(
                select(g.prize_id, g.given).where(g.campaign_id == CAMPAIGN)
            ).all()
            line = SqlBudgets(connection).drawn(budget_line(CAMPAIGN))[0]
        return {p: int(n) for p, n in rows}, line

    def draws(self) -> tuple[dict[str, int], int, int]:
        """Every draw per prize (POOL: all), their value, and how many are uncounted."""
        d = lottery_draws.c
        with self.sql.connect() as connection:
            rows = connection.execute(
                select(d.prize_id, d.value, d.counted).where(d.campaign_id == CAMPAIGN)
            ).all()
        per = Counter(r.prize_id for r in rows)
        per[POOL] = len(rows)
        return dict(per), sum(int(r.value) for r in rows), sum(1 for r in rows if not r.counted)


def draw(engine: DrawEngine, customer: str, key: str, roll: int = 0) -> tuple[Draw, bool]:
    ticket = DrawTicket(CAMPAIGN, customer, key, uuid.uuid4().hex, roll, AT)
    return engine.draw(POOL_OF, ticket)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)),
    ]
)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    assert REDIS_URL is not None
    made = postgres_engine() if request.param == "postgresql" else sqlite_engine(tmp_path)
    with made as sql:
        client = redis.Redis.from_url(REDIS_URL)
        found = World(sql, client, f"test-{uuid.uuid4().hex[:10]}", SqlLotteryBook(sql))
        try:
            yield found
        finally:
            found.wipe_redis()
            client.close()


def test_an_uncounted_draw_is_read_as_given(world: World) -> None:
    world.grant(world.engine(), "ann", 3)
    for n in range(3):
        world.uncounted("ann", f"k{n}")
    assert world.counters() == ({}, 0)  # nothing folded yet
    assert world.draws()[2] == 3
    assert world.book.given(CAMPAIGN) == {"phone-10": 3, POOL: 3}
    assert world.book.chances(CAMPAIGN, "ann") == (3, 3)


def test_a_fold_counts_each_draw_once(world: World) -> None:
    world.grant(world.engine(), "ann", 4)
    for n, prize_id in enumerate(["phone-10", "thanks", "phone-30", "phone-10"]):
        world.uncounted("ann", f"k{n}", prize_id)
    assert fold_all(world.sql) == 4
    assert fold_all(world.sql) == 0
    per, value, behind = world.draws()
    assert behind == 0
    assert world.counters() == (per, value)
    assert world.book.given(CAMPAIGN) == per


def test_a_fold_that_crashes_before_its_commit_counts_nothing(world: World) -> None:
    world.grant(world.engine(), "ann", 2)
    world.uncounted("ann", "k1")
    world.uncounted("ann", "k2")

    def crash() -> None:
        with world.sql.begin() as connection:
            assert fold(connection, CAMPAIGN) == 2
            raise RuntimeError("the process dies before the commit")

    with pytest.raises(RuntimeError):
        crash()
    assert world.counters() == ({}, 0)
    assert world.draws()[2] == 2
    assert fold_all(world.sql) == 2
    assert world.counters() == ({"phone-10": 2, POOL: 2}, 2000)


def test_a_redis_rebuilt_over_uncounted_draws_never_gives_past_stock_or_line(
    world: World,
) -> None:
    engine = world.engine()
    world.grant(engine, "ann", 20)
    for n in range(4):
        world.uncounted("ann", f"k{n}")  # phone-10, 4 of its 5
    won = [draw(engine, "ann", f"k{n}", roll=0)[0].prize_id for n in range(4, 20)]
    # then phone-10 is given once more, phone-30 once (9_000 of 10_000), then thanks only
    assert won[:2] == ["phone-10", "phone-30"]
    assert set(won[2:]) == {"thanks"}
    with pytest.raises(NoChance):
        draw(engine, "ann", "k20")
    LotteryWriter(engine, "w").drain()
    per, value, _ = world.draws()
    assert per["phone-10"] == 5
    assert value == 8_000
    fold_all(world.sql)
    assert world.counters() == (per, value)
    assert world.book.chances(CAMPAIGN, "ann") == (20, 20)


def test_the_sql_draw_counts_draws_left_uncounted(world: World) -> None:
    sql_engine = SqlDrawEngine(world.sql)
    world.grant(sql_engine, "ann", 8)
    for n in range(4):
        world.uncounted("ann", f"k{n}")
    won = [draw(sql_engine, "ann", f"k{n}", roll=0)[0].prize_id for n in range(4, 8)]
    assert won == ["phone-10", "phone-30", "thanks", "thanks"]
    per, value, behind = world.draws()
    assert behind == 0  # folded while the SQL draw held the pool
    assert world.counters() == (per, value)


def test_folds_side_by_side_count_every_draw_once(world: World) -> None:
    customers = [f"c{n}" for n in range(24)]
    for customer in customers:
        world.grant(world.engine(), customer, 6)

    def drawer(customer: str) -> int:
        for n in range(6):
            world.uncounted(customer, f"k{n}", ["phone-10", "thanks"][n % 2])
            fold_all(world.sql, batch=3)  # a folder in every thread
        return 6

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(drawer, customers)) == 24 * 6
    fold_all(world.sql)
    per, value, behind = world.draws()
    assert behind == 0
    assert world.counters() == (per, value)


def test_figures_read_in_one_statement_add_the_draws_behind(world: World) -> None:
    world.grant(world.engine(), "ann", 3)
    for n in range(3):
        world.uncounted("ann", f"k{n}")
    fold_all(world.sql)
    world.grant(world.engine(), "bob", 1)
    world.uncounted("bob", "k0")
    with world.sql.connect() as connection:
        figures = pool_figures(connection, CAMPAIGN)
        total = connection.scalar(select(func.count()).select_from(lottery_draws))
    assert figures.given == {"phone-10": 4, POOL: 4}
    assert total == 4
    assert figures.drawn == 4_000
    assert figures.behind == 1


def test_a_retry_after_redis_forgot_its_answer_finds_the_written_draw(world: World) -> None:
    engine = world.engine()
    world.grant(engine, "ann", 3)
    first, new = draw(engine, "ann", "k1")
    LotteryWriter(engine, "w").drain()
    for key in world.client.scan_iter(f"{world.prefix}:lottery:*:draw:*"):
        world.client.delete(key)  # the day the answer was kept for is over
    assert new
    assert engine.find(CAMPAIGN, "ann", "k1") == first
    assert world.book.chances(CAMPAIGN, "ann") == (3, 1)
