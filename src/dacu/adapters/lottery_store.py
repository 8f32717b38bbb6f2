"""The lottery in SQL: the chance ledger, the draws (the system of record) and the atomic
draw of `SqlDrawEngine`.

A draw is one transaction: the customer's chance row is used by a conditional
UPDATE (`used < granted`), the campaign's pool row (`lottery_given`, prize
"*") is locked by counting the draw on it — so the draws of one campaign pass
one at a time through the few statements that read what is left and take
it — then the prize's stock (`given < stock`), the budget line
(`SqlBudgets.draw`) and the draw row, keyed by (campaign, customer, key). A
retry with the same key loses on the key and its transaction, chance and
all, is rolled back; the draw it finds is the answer. What is left is read
with `pool_figures` (`lottery_fold.py`), so draws a Redis engine left
uncounted count too, and are folded in while the pool is held.
"""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.lottery_fold import (
    POOL,
    UNLIMITED,
    add_given,
    budget_line,
    fold,
    pool_figures,
)
from dacu.adapters.sql import count_up_to, insert_for
from dacu.adapters.tables import (
    customers,
    lottery_chances,
    lottery_draws,
    lottery_given,
    lottery_grants,
)
from dacu.domain.lottery import (
    Draw,
    DrawTicket,
    Lottery,
    NoChance,
    Prize,
    pick,
    recorded_status,
)
from dacu.domain.rewards import GivenStatus
from dacu.services.ports.lottery import LotteryFigures


class DrawRaced(Exception):
    """Another request with the same key recorded its draw first."""


def _draw_of(row: object) -> Draw:
    r = row._mapping  # type: ignore[attr-defined]
    return Draw(
        r["id"], r["campaign_id"], r["customer_id"], r["key"], r["prize_id"],
        int(r["value"]), int(r["roll"]), r["status"], r["at"], r["reference"],
    )  # fmt: skip


def find_draw(connection: Connection, campaign_id: str, customer_id: str, key: str) -> Draw | None:
    d = lottery_draws.c
    row = connection.execute(
        select(lottery_draws).where(
            d.campaign_id == campaign_id, d.customer_id == customer_id, d.key == key
        )
    ).first()
    return None if row is None else _draw_of(row)


def record_draw(connection: Connection, ticket: DrawTicket, prize: Prize, *, counted: bool) -> Draw:
    """Insert the draw, `counted` when the caller adds it to the counters in the same
    transaction; raises DrawRaced when its key holds one already."""
    placed = connection.execute(
        insert_for(connection, lottery_draws)
        .values(
            id=ticket.draw_id,
            campaign_id=ticket.campaign_id,
            customer_id=ticket.customer_id,
            key=ticket.key,
            prize_id=prize.id,
            value=prize.value,
            roll=ticket.roll,
            status=recorded_status(prize, ticket.status),
            reference="",
            at=ticket.at,
            counted=counted,
        )
        .on_conflict_do_nothing()
        .returning(lottery_draws.c.id)
    ).first()
    if placed is None:
        raise DrawRaced
    status = recorded_status(prize, ticket.status)
    return Draw(
        ticket.draw_id, ticket.campaign_id, ticket.customer_id, ticket.key, prize.id,
        prize.value, ticket.roll, status, ticket.at,
    )  # fmt: skip


def use_chance(connection: Connection, campaign_id: str, customer_id: str) -> bool:
    c = lottery_chances.c
    done = connection.execute(
        update(lottery_chances)
        .where(c.campaign_id == campaign_id, c.customer_id == customer_id, c.used < c.granted)
        .values(used=c.used + 1)
    )
    return done.rowcount == 1


class SqlDrawEngine:
    """`DrawEngine` in SQL (SQLite and PostgreSQL alike)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def granted(self, campaign_id: str, customer_id: str, total: int) -> None:
        """Nothing to mirror: the book is the engine's own."""

    def draw(self, lottery: Lottery, ticket: DrawTicket) -> tuple[Draw, bool]:
        try:
            with self._engine.begin() as connection:
                if not use_chance(connection, ticket.campaign_id, ticket.customer_id):
                    raise NoChance
                add_given(connection, ticket.campaign_id, POOL, 1)  # holds the pool to the commit
                prize = self._take(connection, lottery, ticket)
                drawn = record_draw(connection, ticket, prize, counted=True)
            return drawn, True
        except NoChance:
            found = self._find(ticket)  # a retry after the last chance was used
            if found is None:
                raise
            return found, False
        except DrawRaced:
            found = self._find(ticket)
        assert found is not None
        return found, found.id == ticket.draw_id

    def _find(self, ticket: DrawTicket) -> Draw | None:
        return self.find(ticket.campaign_id, ticket.customer_id, ticket.key)

    def find(self, campaign_id: str, customer_id: str, key: str) -> Draw | None:
        with self._engine.connect() as connection:
            return find_draw(connection, campaign_id, customer_id, key)

    def mark(self, drawn: Draw, status: str, reference: str) -> None:
        SqlLotteryBook(self._engine).mark(drawn.id, status, reference)

    @staticmethod
    def _take(connection: Connection, lottery: Lottery, ticket: DrawTicket) -> Prize:
        figures = pool_figures(connection, ticket.campaign_id)
        if figures.behind:  # draws a Redis engine made: counted now, while the pool is held
            fold(connection, ticket.campaign_id, UNLIMITED)
        left = lottery.budget - figures.drawn
        prize = pick(lottery.open_prizes(figures.given, left), ticket.roll)
        # the pool row is held: what was read is what is left, so these cannot fail
        key = {"campaign_id": ticket.campaign_id, "prize_id": prize.id}
        stock = UNLIMITED if prize.stock is None else prize.stock
        if not count_up_to(connection, lottery_given, key, "given", 1, stock):
            raise AssertionError("a prize's stock moved while its pool was held")
        line = budget_line(ticket.campaign_id)
        if prize.value and not SqlBudgets(connection).draw(line, prize.value, lottery.budget):
            raise AssertionError("the budget line moved while its pool was held")
        return prize


class SqlLotteryBook:
    """`LotteryBook` in SQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def grant(
        self, grants: list[tuple[str, str, int]], campaign_id: str, customer_id: str, at: datetime
    ) -> int:
        added = 0
        with self._engine.begin() as connection:
            for key, reason, chances in grants:
                placed = connection.execute(
                    insert_for(connection, lottery_grants)
                    .values(
                        campaign_id=campaign_id,
                        customer_id=customer_id,
                        key=key,
                        reason=reason,
                        chances=chances,
                        at=at,
                    )
                    .on_conflict_do_nothing()
                    .returning(lottery_grants.c.key)
                ).first()
                if placed is None:
                    break
                added += chances
            if added:
                self._add(connection, campaign_id, customer_id, added)
        return added

    @staticmethod
    def _add(connection: Connection, campaign_id: str, customer_id: str, chances: int) -> None:
        c = lottery_chances.c
        connection.execute(
            insert_for(connection, lottery_chances)
            .values(campaign_id=campaign_id, customer_id=customer_id, granted=chances, used=0)
            .on_conflict_do_update(
                index_elements=[c.campaign_id, c.customer_id],
                set_={"granted": c.granted + chances},
            )
        )

    def chances(self, campaign_id: str, customer_id: str) -> tuple[int, int]:
        c = lottery_chances.c
        with self._engine.connect() as connection:
            row = connection.execute(
                select(c.granted, c.used).where(
                    c.campaign_id == campaign_id, c.customer_id == customer_id
                )
            ).first()
        return (0, 0) if row is None else (int(row.granted), int(row.used))

    def verified(self, customer_id: str) -> bool:
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(customers.c.phone_verified).where(customers.c.id == customer_id)
            )
        return bool(found)

    def given(self, campaign_id: str) -> dict[str, int]:
        with self._engine.connect() as connection:
            return pool_figures(connection, campaign_id).given

    def find(self, campaign_id: str, customer_id: str, key: str) -> Draw | None:
        with self._engine.connect() as connection:
            return find_draw(connection, campaign_id, customer_id, key)

    def draws(self, campaign_id: str, customer_id: str, limit: int = 50) -> list[Draw]:
        d = lottery_draws.c
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(lottery_draws)
                .where(d.campaign_id == campaign_id, d.customer_id == customer_id)
                .order_by(d.at.desc(), d.id.desc())
                .limit(limit)
            )
            return [_draw_of(row) for row in rows]

    def mark(self, draw_id: str, status: str, reference: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(lottery_draws)
                .where(lottery_draws.c.id == draw_id)
                .values(status=status, reference=reference[:128])
            )

    def figures(self, campaign_id: str, day_start: datetime) -> LotteryFigures:
        d = lottery_draws.c
        mine = d.campaign_id == campaign_id
        with self._engine.connect() as connection:
            per_prize = connection.execute(
                select(d.prize_id, func.count(), func.coalesce(func.sum(d.value), 0))
                .where(mine)
                .group_by(d.prize_id)
            ).all()
            today = connection.scalar(select(func.count()).where(mine, d.at >= day_start))
            held = connection.scalar(
                select(func.count()).where(mine, d.status == GivenStatus.HELD.value)
            )
        given: Mapping[str, int] = {row[0]: int(row[1]) for row in per_prize}
        return LotteryFigures(
            draws=sum(given.values()),
            draws_today=int(today or 0),
            given=dict(given),
            budget_drawn=sum(int(row[2]) for row in per_prize),
            held=int(held or 0),
        )
