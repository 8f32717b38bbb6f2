"""Draws the Redis script made, written to the database behind: answered before they
are written and the same on retry, written once however many writers race or die
mid-batch, and each prize given once with its status kept."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

import dacu.adapters.lottery_redis as lottery_redis
from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.coin_store import SqlCoinLedger
from dacu.adapters.customer_store import SqlCustomers
from dacu.adapters.lottery_fold import POOL, budget_line
from dacu.adapters.lottery_redis import RedisDrawEngine
from dacu.adapters.lottery_store import SqlLotteryBook
from dacu.adapters.lottery_writer import GROUP, LotteryWriter
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_streams import join_group, next_entries
from dacu.adapters.tables import lottery_draws, lottery_given
from dacu.domain.growth import Growth
from dacu.domain.lottery import DrawTicket, Lottery, Prize
from dacu.domain.rewards import Given, Grant, Reward, RewardKind
from dacu.domain.risk import RiskDecision, RiskQuery, Verdict
from dacu.services.lottery import LotteryService
from dacu.services.lottery_giver import InterimGiver
from tests.integration.conftest import (
    NO_POSTGRES,
    NO_REDIS,
    POSTGRES_URL,
    REDIS_URL,
    postgres_engine,
    redis_keys,
    sqlite_engine,
)

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)]
AT = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
CAMPAIGN = "launch"
COINS = Prize("coins-10", "10个智慧币", Reward(RewardKind.COINS, coins=10, value=7), 3, 50)
THANKS = Prize("thanks", "谢谢参与", Reward(RewardKind.NOTHING), 1, None)
LOTTERY = Lottery((COINS, THANKS), budget=1_000)


class Campaigns:
    def campaign(self, campaign_id: str) -> SimpleNamespace:
        return SimpleNamespace(id=campaign_id, growth=Growth(lottery=LOTTERY))

    def is_open(self, campaign_id: str, now: datetime, promotion_id: str = "") -> bool:
        return True


class Risk:
    def assess(self, query: RiskQuery) -> RiskDecision:
        return RiskDecision(Verdict.ALLOW)


class Counting:
    """The interim giver, counting the grants it is handed per key."""

    def __init__(self, inner: InterimGiver) -> None:
        self.inner, self.keys = inner, []

    def give(self, grant: Grant) -> Given:
        self.keys.append(grant.key)
        return self.inner.give(grant)


@dataclass
class World:
    sql: Engine
    client: Client
    prefix: str

    def engine(self) -> RedisDrawEngine:
        return RedisDrawEngine(self.client, self.sql, self.prefix)

    def writer(self, name: str, idle_ms: int = 30_000) -> LotteryWriter:
        return LotteryWriter(self.engine(), name, idle_ms)

    def service(self) -> tuple[LotteryService, Counting, SqlCoinLedger]:
        coins = SqlCoinLedger(self.sql)
        giver = Counting(InterimGiver(coins, lambda *_: {}))
        service = LotteryService(
            SqlLotteryBook(self.sql), self.engine(), Campaigns(), Risk(), giver,
            lambda: AT, lambda: uuid.uuid4().hex, lambda: 0,  # roll 0: the coins
        )  # fmt: skip
        SqlCustomers(self.sql).put("ann", AT, phone_verified=True)
        return service, giver, coins

    def rows(self) -> list[tuple[str, str, str]]:
        d = lottery_draws.c
        with self.sql.connect() as connection:
            found = connection.execute(select(d.id, d.prize_id, d.status).order_by(d.id))
            return [(r.id, r.prize_id, r.status) for r in found]

    def counted(self) -> tuple[dict[str, int], int]:
        g = lottery_given.c
        with self.sql.connect() as connection:
            rows = connection.execute(select(g.prize_id, g.given).where(g.campaign_id == CAMPAIGN))
            line = SqlBudgets(connection).drawn(budget_line(CAMPAIGN))[0]
            return {p: int(n) for p, n in rows}, line


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)),
    ]
)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    made = postgres_engine() if request.param == "postgresql" else sqlite_engine(tmp_path)
    with made as sql, redis_keys() as (client, prefix):
        yield World(sql, client, prefix)


def grant(world: World, engine: RedisDrawEngine, customer: str, n: int) -> None:
    book = SqlLotteryBook(world.sql)
    book.grant([("first_visit", "first_visit", n)], CAMPAIGN, customer, AT)
    engine.granted(CAMPAIGN, customer, book.chances(CAMPAIGN, customer)[0])


def draw(engine: RedisDrawEngine, customer: str, key: str, roll: int = 0):
    return engine.draw(LOTTERY, DrawTicket(CAMPAIGN, customer, key, uuid.uuid4().hex, roll, AT))


def test_a_draw_is_answered_before_it_is_written_and_the_same_on_retry(world: World) -> None:
    engine = world.engine()
    grant(world, engine, "ann", 3)
    first, new = draw(engine, "ann", "k1")
    assert new
    assert world.rows() == []  # answered, not yet written
    assert engine.find(CAMPAIGN, "ann", "k1") == first
    again, new_again = draw(engine, "ann", "k1", roll=2**32 - 1)
    assert (again, new_again) == (first, False)
    assert world.writer("w1").drain() == 1
    assert world.rows() == [(first.id, "coins-10", "drawn")]
    assert SqlLotteryBook(world.sql).find(CAMPAIGN, "ann", "k1") == first
    assert SqlLotteryBook(world.sql).chances(CAMPAIGN, "ann") == (3, 1)
    assert world.counted() == ({"coins-10": 1, POOL: 1}, 7)
    assert draw(engine, "ann", "k1") == (first, False)  # written: answered the same still


def test_a_prize_given_before_its_draw_is_written_keeps_its_status(world: World) -> None:
    service, giver, coins = world.service()
    service.visit(CAMPAIGN, "ann")
    drawn = service.draw(CAMPAIGN, "ann", "k1")
    assert drawn.status == "given"
    assert service.draw(CAMPAIGN, "ann", "k1") == drawn  # a retry before it is written
    world.writer("w1").drain()
    assert world.rows() == [(drawn.id, "coins-10", "given")]
    assert service.draw(CAMPAIGN, "ann", "k1") == drawn  # and after
    assert coins.balance("ann").balance == 10
    assert set(giver.keys) == {f"lottery:{drawn.id}"}


def test_a_prize_given_while_its_batch_is_written_keeps_its_status(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _, coins = world.service()
    service.visit(CAMPAIGN, "ann")
    engine = world.engine()
    drawn, _ = draw(engine, "ann", "k1")  # drawn, its prize not yet given
    written = lottery_redis.write_draws

    def giving_meanwhile(sql: Engine, draws: list) -> set[str]:
        refused = written(sql, draws)
        service.draw(CAMPAIGN, "ann", "k1")  # the retry gives the prize now
        return refused

    monkeypatch.setattr(lottery_redis, "write_draws", giving_meanwhile)
    world.writer("w1").drain()
    assert world.rows() == [(drawn.id, "coins-10", "given")]
    assert coins.balance("ann").balance == 10


def test_a_writer_dead_mid_batch_loses_nothing_and_counts_nothing_twice(world: World) -> None:
    service, giver, coins = world.service()
    service.visit(CAMPAIGN, "ann")
    drawn = [service.draw(CAMPAIGN, "ann", f"k{n}") for n in range(3)]
    # a writer takes the entries and writes the batch, then dies before forgetting and
    # acknowledging them
    engine = world.engine()
    stream = engine.stream(CAMPAIGN)
    join_group(world.client, stream, GROUP)
    taken = next_entries(world.client, stream, GROUP, "dead", 30_000, 500)
    assert len(taken) == 3
    lottery_redis.write_draws(world.sql, [engine.find(CAMPAIGN, "ann", f"k{n}") for n in range(3)])
    assert world.writer("alive").drain() == 0  # not idle long enough to take over yet
    assert world.writer("alive", idle_ms=0).drain() == 3  # taken over
    assert sorted(world.rows()) == sorted((d.id, "coins-10", "given") for d in drawn)
    assert world.counted() == ({"coins-10": 3, POOL: 3}, 21)
    assert SqlLotteryBook(world.sql).chances(CAMPAIGN, "ann") == (3, 3)
    assert coins.balance("ann").balance == 30
    assert sorted(giver.keys) == sorted(f"lottery:{d.id}" for d in drawn)
    assert world.client.xlen(stream) == 0


def test_writers_side_by_side_write_each_draw_once(world: World) -> None:
    engine = world.engine()
    customers = [f"c{n}" for n in range(20)]
    for customer in customers:
        grant(world, engine, customer, 4)
    made = [draw(engine, c, f"k{n}", roll=n * 1_000_003)[0] for c in customers for n in range(4)]
    writers = [world.writer(f"w{n}") for n in range(3)]
    while sum(w.run_once(count=7) for w in writers):
        pass
    assert sorted(r[0] for r in world.rows()) == sorted(d.id for d in made)
    with world.sql.connect() as connection:
        counted = connection.scalar(select(func.count()).where(lottery_draws.c.counted))
    assert counted == 80
    per: dict[str, int] = {}
    for d in made:
        per[d.prize_id] = per.get(d.prize_id, 0) + 1
    assert world.counted() == ({**per, POOL: 80}, sum(d.value for d in made))
    for customer in customers:
        assert SqlLotteryBook(world.sql).chances(CAMPAIGN, customer) == (4, 4)
