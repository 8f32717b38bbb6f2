"""What members and finance read of coins, sign-ins and daily tasks (`TaskBooks`' reads)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.tables import (
    coin_awards,
    coin_entries,
    coin_issued,
    sign_ins,
    task_days,
    task_months,
    tasks_done,
)
from dacu.domain.coins_rules import CoinFigures
from dacu.domain.growth import line_id
from dacu.domain.tasks import SignIn, TaskDone
from dacu.domain.types import Fen


class TaskReads:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @staticmethod
    def sign_in_of(row: Any) -> SignIn:
        return SignIn(row.day, int(row.streak), int(row.coins), row.status, row.at)

    def sign_ins(self, campaign_id: str, customer_id: str, first: date, last: date) -> list[SignIn]:
        c = sign_ins.c
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(sign_ins)
                .where(
                    c.campaign_id == campaign_id,
                    c.customer_id == customer_id,
                    c.day >= first,
                    c.day <= last,
                )
                .order_by(c.day)
            )
            return [self.sign_in_of(row) for row in rows]

    def done(self, campaign_id: str, customer_id: str, day: date) -> list[TaskDone]:
        c = tasks_done.c
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(tasks_done).where(
                    c.campaign_id == campaign_id, c.customer_id == customer_id, c.day == day
                )
            )
            return [
                TaskDone(r.task_id, r.day, r.at, r.source, int(r.coins), r.status) for r in rows
            ]

    def all_done_days(self, campaign_id: str, customer_id: str, month: str) -> int:
        c = task_months.c
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(c.days).where(
                    c.campaign_id == campaign_id, c.customer_id == customer_id, c.month == month
                )
            )
        return int(found or 0)

    def figures(
        self, campaign_id: str, since: datetime, worth: tuple[int, Fen], budget: Fen
    ) -> CoinFigures:
        value_coins, value_fen = worth
        e = coin_entries.c
        with self._engine.connect() as connection:
            by_reason = _pairs(
                connection.execute(
                    select(e.reason, func.sum(e.coins))
                    .where(e.campaign_id == campaign_id)
                    .group_by(e.reason)
                    .order_by(e.reason)
                )
            )
            earned_today = connection.scalar(
                select(func.coalesce(func.sum(e.coins), 0)).where(
                    and_(e.campaign_id == campaign_id, e.coins > 0, e.at >= since)
                )
            )
            given = connection.scalar(
                select(coin_issued.c.coins).where(coin_issued.c.campaign_id == campaign_id)
            )
            drawn = SqlBudgets(connection).drawn(line_id(campaign_id, "coins"))[0]
            a = coin_awards.c
            by_status = _pairs(
                connection.execute(
                    select(a.status, func.count())
                    .where(a.campaign_id == campaign_id)
                    .group_by(a.status)
                    .order_by(a.status)
                )
            )
            days = _daily(connection, campaign_id)
        outstanding = max(sum(n for _, n in by_reason), 0)
        return CoinFigures(
            campaign_id=campaign_id,
            outstanding=outstanding,
            liability=outstanding * value_fen // value_coins,
            given=int(given or 0),
            drawn=drawn,
            budget=budget,
            earned_today=int(earned_today or 0),
            by_reason=by_reason,
            by_status=by_status,
            sign_ins=days[0],
            tasks=days[1],
            all_done=days[2],
        )


def _pairs(rows: Any) -> tuple[tuple[str, int], ...]:
    return tuple((str(key), int(n or 0)) for key, n in rows)


def _daily(connection: Any, campaign_id: str) -> tuple[Any, Any, Any]:
    s, t, d = sign_ins.c, tasks_done.c, task_days.c
    signed = connection.execute(
        select(s.day, func.count()).where(s.campaign_id == campaign_id).group_by(s.day)
    )
    done = connection.execute(
        select(t.day, t.task_id, func.count())
        .where(t.campaign_id == campaign_id)
        .group_by(t.day, t.task_id)
        .order_by(t.day, t.task_id)
    )
    all_done = connection.execute(
        select(d.day, func.count())
        .where(d.campaign_id == campaign_id, d.all_done_at.is_not(None))
        .group_by(d.day)
    )
    return (
        tuple(sorted((str(day), int(n)) for day, n in signed)),
        tuple((str(day), task, int(n)) for day, task, n in done),
        tuple(sorted((str(day), int(n)) for day, n in all_done)),
    )
