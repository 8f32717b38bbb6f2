"""Coin earnings, sign-ins and daily tasks in SQL (`TaskBook`, `TaskBooks`).

Each deed is one transaction whose first statement writes (so SQLite takes its
write lock at once rather than upgrading a read), and each step two deeds may
race on is an INSERT … ON CONFLICT DO NOTHING (a deed kept once) or an upsert
that adds and returns the sum, holding the row to the commit (a counter two
deeds never both read stale).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.coin_store import SqlCoinBook
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import (
    coin_awards,
    coin_issued,
    coin_orders,
    customers,
    sign_ins,
    task_days,
    task_months,
    tasks_done,
)
from dacu.adapters.task_reads import TaskReads
from dacu.domain.coins_rules import Award, Earning
from dacu.domain.tasks import SignIn, yesterday
from dacu.domain.types import Fen


class SqlTaskBook:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.coins = SqlCoinBook(connection)
        self._budgets = SqlBudgets(connection)

    def _run(self, statement: Any) -> Any:
        return self._connection.execute(statement)

    def _add(self, table: Any, key: dict[str, Any], column: str, add: int, **row: Any) -> Any:
        """Add `add` to the keyed row's `column` (created at `add`); the row after it."""
        counter = table.c[column]
        return self._run(
            insert_for(self._connection, table)
            .values(**key, **row, **{column: add})
            .on_conflict_do_update(
                index_elements=[table.c[name] for name in key], set_={column: counter + add}
            )
            .returning(*table.c)
        ).one()

    def verified(self, customer_id: str) -> bool:
        found = self._connection.scalar(
            select(customers.c.phone_verified).where(customers.c.id == customer_id)
        )
        return bool(found)

    def claim(
        self, key: str, campaign_id: str, customer_id: str, reason: str, coins: int, at: datetime
    ) -> Earning | None:
        placed = self._run(
            insert_for(self._connection, coin_awards)
            .values(
                key=key,
                campaign_id=campaign_id,
                customer_id=customer_id,
                reason=reason,
                coins=coins,
                status=Award.NOTHING,
                fen=0,
                at=at,
            )
            .on_conflict_do_nothing(index_elements=[coin_awards.c.key])
            .returning(coin_awards.c.key)
        ).first()
        if placed is not None:
            return None
        row = self._run(select(coin_awards).where(coin_awards.c.key == key)).one()
        return Earning(key, Award(row.status), int(row.coins), row.at)

    def settle(self, key: str, status: Award, coins: int, fen: Fen) -> None:
        self._run(
            update(coin_awards)
            .where(coin_awards.c.key == key)
            .values(status=status, coins=coins, fen=fen)
        )

    def issue(self, campaign_id: str, coins: int) -> tuple[int, int]:
        row = self._add(coin_issued, {"campaign_id": campaign_id}, "coins", coins)
        after = int(row.coins)
        return after - coins, after

    def draw(self, line: str, fen: Fen, base: Fen) -> bool:
        return self._budgets.draw(line, fen, base)

    def give_back(self, line: str, fen: Fen) -> None:
        self._budgets.give({line: fen})

    def sign_in(self, campaign_id: str, customer_id: str, day: date, at: datetime) -> SignIn | None:
        key = {"campaign_id": campaign_id, "customer_id": customer_id}
        placed = self._run(
            insert_for(self._connection, sign_ins)
            .values(**key, day=day, streak=1, coins=0, status=Award.NOTHING, at=at)
            .on_conflict_do_nothing()
            .returning(sign_ins.c.day)
        ).first()
        if placed is None:
            return None
        before = self.signed_in(campaign_id, customer_id, yesterday(day))
        streak = 1 if before is None else before.streak + 1
        if streak != 1:
            self._run(_sign_in_row(campaign_id, customer_id, day).values(streak=streak))
        return SignIn(day, streak, 0, Award.NOTHING, at)

    def signed_in(self, campaign_id: str, customer_id: str, day: date) -> SignIn | None:
        row = self._run(
            select(sign_ins).where(
                sign_ins.c.campaign_id == campaign_id,
                sign_ins.c.customer_id == customer_id,
                sign_ins.c.day == day,
            )
        ).one_or_none()
        return None if row is None else TaskReads.sign_in_of(row)

    def set_sign_in(
        self, campaign_id: str, customer_id: str, day: date, coins: int, status: Award
    ) -> None:
        self._run(_sign_in_row(campaign_id, customer_id, day).values(coins=coins, status=status))

    def mark_done(
        self,
        campaign_id: str,
        customer_id: str,
        day: date,
        task_id: str,
        source: str,
        at: datetime,
    ) -> bool:
        placed = self._run(
            insert_for(self._connection, tasks_done)
            .values(
                campaign_id=campaign_id,
                customer_id=customer_id,
                day=day,
                task_id=task_id,
                source=source[:200],
                coins=0,
                status=Award.NOTHING,
                at=at,
            )
            .on_conflict_do_nothing()
            .returning(tasks_done.c.task_id)
        ).first()
        return placed is not None

    def set_done(
        self,
        campaign_id: str,
        customer_id: str,
        day: date,
        task_id: str,
        coins: int,
        status: Award,
    ) -> None:
        c = tasks_done.c
        self._run(
            update(tasks_done)
            .where(
                c.campaign_id == campaign_id,
                c.customer_id == customer_id,
                c.day == day,
                c.task_id == task_id,
            )
            .values(coins=coins, status=status)
        )

    def count_done(self, campaign_id: str, customer_id: str, day: date) -> int:
        key = {"campaign_id": campaign_id, "customer_id": customer_id, "day": day}
        return int(self._add(task_days, key, "done", 1).done)

    def all_done(self, campaign_id: str, customer_id: str, day: date, at: datetime) -> bool:
        c = task_days.c
        marked = self._run(
            update(task_days)
            .where(
                c.campaign_id == campaign_id,
                c.customer_id == customer_id,
                c.day == day,
                c.all_done_at.is_(None),
            )
            .values(all_done_at=at)
        )
        return bool(marked.rowcount == 1)

    def day_all_done(self, campaign_id: str, customer_id: str, day: date) -> bool:
        c = task_days.c
        found = self._connection.scalar(
            select(c.all_done_at).where(
                c.campaign_id == campaign_id, c.customer_id == customer_id, c.day == day
            )
        )
        return found is not None

    def month_day(self, campaign_id: str, customer_id: str, month: str) -> int:
        key = {"campaign_id": campaign_id, "customer_id": customer_id, "month": month}
        return int(self._add(task_months, key, "days", 1).days)

    def order_paid(self, order_id: str, customer_id: str, campaign_id: str, paid: Fen) -> Fen:
        row = self._run(
            insert_for(self._connection, coin_orders)
            .values(
                order_id=order_id,
                customer_id=customer_id,
                campaign_id=campaign_id,
                paid=paid,
                refunded=0,
                given=False,
            )
            .on_conflict_do_update(index_elements=[coin_orders.c.order_id], set_={"paid": paid})
            .returning(coin_orders.c.refunded)
        ).one()
        return int(row.refunded)

    def order_given(self, order_id: str) -> None:
        self._run(update(coin_orders).where(coin_orders.c.order_id == order_id).values(given=True))

    def order_refunded(
        self, order_id: str, customer_id: str, campaign_id: str, amount: Fen
    ) -> tuple[Fen | None, Fen, Fen, bool]:
        key = {"order_id": order_id}
        row = self._add(
            coin_orders,
            key,
            "refunded",
            amount,
            customer_id=customer_id,
            campaign_id=campaign_id,
            paid=None,
            given=False,
        )
        after = int(row.refunded)
        paid = None if row.paid is None else int(row.paid)
        return paid, after - amount, after, bool(row.given)


def _sign_in_row(campaign_id: str, customer_id: str, day: date) -> Any:
    c = sign_ins.c
    return update(sign_ins).where(
        c.campaign_id == campaign_id, c.customer_id == customer_id, c.day == day
    )


class SqlTaskBooks(TaskReads):
    """`TaskBooks`: a transaction per deed, and the reads of `TaskReads`."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)

    @contextmanager
    def transaction(self) -> Iterator[SqlTaskBook]:
        with self._engine.begin() as connection:
            yield SqlTaskBook(connection)
