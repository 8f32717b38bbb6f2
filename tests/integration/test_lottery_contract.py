"""The draw engine's contract: SQL on SQLite and PostgreSQL and the Redis script give the
same answers — a draw uses one chance for one prize by the rule of `domain/lottery.py`,
once per key — and none lets a chance, a prize's stock or the budget line overdraw
under a storm of drawers."""

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.lottery_redis import RedisDrawEngine
from dacu.adapters.lottery_store import SqlDrawEngine, SqlLotteryBook
from dacu.adapters.lottery_writer import LotteryWriter
from dacu.adapters.redis_connect import Client
from dacu.domain.lottery import ROLL_SPAN, DrawTicket, Lottery, NoChance, Prize, pick
from dacu.domain.rewards import Reward, RewardKind
from dacu.services.ports.lottery import DrawEngine
from tests.integration.conftest import (
    NO_POSTGRES,
    NO_REDIS,
    POSTGRES_URL,
    REDIS_CLUSTER,
    REDIS_URL,
    postgres_engine,
    redis_keys,
    redis_url_of,
    sqlite_engine,
)

pytestmark = pytest.mark.integration
AT = datetime(2026, 9, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
CAMPAIGN = "launch"


def prize(pid: str, weight: int, stock: int | None, value: int = 0) -> Prize:
    kind = RewardKind.TOP_UP if value else RewardKind.NOTHING
    return Prize(pid, pid, Reward(kind, pid, value), weight, stock)


POOL = Lottery(
    (prize("phone-10", 30, 5, 1000), prize("phone-30", 10, 3, 3000), prize("thanks", 60, None)),
    budget=10_000,
)


class WrittenBook:
    """The book, read once the writers have written every draw Redis made."""

    def __init__(self, book: SqlLotteryBook, writer: LotteryWriter) -> None:
        self._book, self._writer = book, writer

    def __getattr__(self, name: str) -> Any:
        self._writer.drain()
        return getattr(self._book, name)


@dataclass
class Rig:
    engine: DrawEngine
    book: Any  # SqlLotteryBook, or a WrittenBook over it
    keys: tuple[Client, str] | None = None
    writer: LotteryWriter | None = None

    def settle(self) -> None:
        """Every draw made written to the book."""
        if self.writer is not None:
            self.writer.drain()

    def grant(self, customer: str, n: int, key: str = "first_visit") -> None:
        """As the service grants: in the book, then the engine told the new total."""
        if self.book.grant([(key, "first_visit", n)], CAMPAIGN, customer, AT):
            self.engine.granted(CAMPAIGN, customer, self.book.chances(CAMPAIGN, customer)[0])

    def draw(self, customer: str, key: str, roll: int = 0, lottery: Lottery = POOL):
        ticket = DrawTicket(CAMPAIGN, customer, key, uuid.uuid4().hex, roll, AT)
        return self.engine.draw(lottery, ticket)


@contextmanager
def _redis_rig(engine, url: str) -> Iterator[Rig]:
    with redis_keys(url) as (client, prefix):
        draws = RedisDrawEngine(client, engine, prefix)
        writer = LotteryWriter(draws, "test")
        book = WrittenBook(SqlLotteryBook(engine), writer)
        yield Rig(draws, book, (client, prefix), writer)


@pytest.fixture(
    params=[
        "sql-sqlite",
        pytest.param(
            "sql-postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
        ),
        pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)),
        REDIS_CLUSTER,
    ]
)
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    """Redis keeps its record in PostgreSQL when there is one, else in SQLite."""
    kind: str = request.param
    url = redis_url_of(kind)
    on_postgres = kind == "sql-postgresql" or (url and POSTGRES_URL)
    with postgres_engine() if on_postgres else sqlite_engine(tmp_path) as engine:
        if url is not None:
            with _redis_rig(engine, url) as made:
                yield made
        else:
            yield Rig(SqlDrawEngine(engine), SqlLotteryBook(engine))


def test_no_chance_no_draw(rig: Rig) -> None:
    with pytest.raises(NoChance):
        rig.draw("ann", "k1")
    assert rig.book.chances(CAMPAIGN, "ann") == (0, 0)
    assert rig.book.draws(CAMPAIGN, "ann") == []


def test_a_draw_uses_one_chance_and_a_retry_returns_it(rig: Rig) -> None:
    rig.grant("ann", 3)
    first, new = rig.draw("ann", "k1", roll=0)
    again, new_again = rig.draw("ann", "k1", roll=ROLL_SPAN - 1)
    assert new
    assert not new_again
    assert again == first
    assert first.prize_id == "phone-10"  # roll 0 → the first open prize
    assert rig.book.chances(CAMPAIGN, "ann") == (3, 1)


def test_chances_run_out(rig: Rig) -> None:
    rig.grant("ann", 2)
    rig.draw("ann", "k1")
    rig.draw("ann", "k2")
    with pytest.raises(NoChance):
        rig.draw("ann", "k3")
    assert rig.book.chances(CAMPAIGN, "ann") == (2, 2)


def test_each_roll_draws_what_the_rule_says(rig: Rig) -> None:
    rig.grant("ann", 10)
    for n, roll in enumerate([0, ROLL_SPAN // 3, ROLL_SPAN // 2, ROLL_SPAN - 1]):
        given = rig.book.given(CAMPAIGN)
        left = POOL.budget - sum(p.value * given.get(p.id, 0) for p in POOL.prizes)
        expected = pick(POOL.open_prizes(given, left), roll)
        drawn, _ = rig.draw("ann", f"k{n}", roll)
        assert drawn.prize_id == expected.id
        assert drawn.roll == roll
    given = rig.book.given(CAMPAIGN)
    assert given.pop("*") == sum(given.values()) == 4  # every prize's draws, unlimited ones too


def test_stock_and_budget_hold_under_a_storm(rig: Rig) -> None:
    customers = [f"c{n}" for n in range(40)]
    for customer in customers:
        rig.grant(customer, 5)

    def drawer(customer: str) -> list[str]:
        won = []
        for n in range(6):  # one more than the chances
            try:
                drawn, _ = rig.draw(customer, f"k{n}", roll=0)  # always the first open prize
            except NoChance:
                continue
            won.append(drawn.prize_id)
        return won

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [p for won in pool.map(drawer, customers) for p in won]
    assert len(results) == 200
    given = rig.book.given(CAMPAIGN)
    assert results.count("phone-10") == given["phone-10"] <= 5
    spent = 1000 * results.count("phone-10") + 3000 * results.count("phone-30")
    assert spent <= POOL.budget
    assert given["phone-10"] == 5  # roll 0 takes the first prize while it lasts
    assert results.count("phone-30") == 1  # 5_000 spent, 3_000 fit once, then nothing more
    for customer in customers:
        assert rig.book.chances(CAMPAIGN, customer) == (5, 5)


def test_the_same_key_raced_draws_once(rig: Rig) -> None:
    rig.grant("ann", 5)
    with ThreadPoolExecutor(max_workers=8) as pool:
        draws = list(pool.map(lambda _: rig.draw("ann", "same")[0], range(8)))
    assert len({d.id for d in draws}) == 1
    assert rig.book.chances(CAMPAIGN, "ann") == (5, 1)


def test_figures_lost_in_redis_are_rebuilt_from_the_record(rig: Rig) -> None:
    if rig.keys is None:
        pytest.skip("Redis only")
    rig.grant("ann", 10)
    for n in range(4):
        rig.draw("ann", f"k{n}", roll=0)
    rig.settle()  # draws not yet written are lost with Redis, as checkout's orders are
    client, prefix = rig.keys
    for key in client.scan_iter(f"{prefix}:lottery:*"):
        client.delete(key)
    for n in range(4, 10):
        rig.draw("ann", f"k{n}", roll=0)
    with pytest.raises(NoChance):
        rig.draw("ann", "k10")
    assert rig.book.given(CAMPAIGN)["phone-10"] == 5
    assert rig.book.chances(CAMPAIGN, "ann") == (10, 10)


def test_chances_granted_after_drawing_can_be_drawn(rig: Rig) -> None:
    rig.grant("ann", 1)
    rig.draw("ann", "k1")
    with pytest.raises(NoChance):
        rig.draw("ann", "k2")
    rig.grant("ann", 1, key="all_tasks:2026-09-03")
    rig.grant("ann", 1, key="all_tasks:2026-09-03")  # once per key
    rig.draw("ann", "k2")
    with pytest.raises(NoChance):
        rig.draw("ann", "k3")
    assert rig.book.chances(CAMPAIGN, "ann") == (2, 2)
