"""The outbox in SQL: facts kept on the deed's own connection, handed out under leases.

`SqlOutbox` writes on a connection it is given, so a fact commits or rolls back
with the deed beside it; a key kept already is left alone (the deed was written
twice, the fact once). `SqlOutboxFeed` hands facts out in one statement that
leases them — on PostgreSQL skipping rows another worker holds locked — so
several workers share the queue; a worker that dies leaves its lease to run
out, and the facts go to another (whose events the KPI store finds counted
already if the first got that far).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dacu.adapters.kpi_scopes import CODES
from dacu.adapters.tables import event_outbox, kpi_seen
from dacu.domain.events import Channel, EventKind, Line, Segment
from dacu.domain.facts import Fact

_FIRST_SEEN = CODES["active"]  # the scope every storefront event counts a person in


class SqlOutbox:
    """Outbox on one connection: the transaction of the deed."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *facts: Fact) -> None:
        if not facts:
            return
        rows = [
            {
                "key": fact.key,
                "kind": fact.kind.value,
                "fact": fact_to_json(fact),
                "created_at": fact.at,
            }
            for fact in facts
        ]
        self._connection.execute(_keep(self._connection.dialect.name), rows)


@cache
def _keep(dialect: str) -> Any:
    """One INSERT … ON CONFLICT DO NOTHING per database, built once (compiled once)."""
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return make(event_outbox).on_conflict_do_nothing(index_elements=["key"])


class SqlOutboxFeed:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, limit: int, now: datetime, lease: timedelta) -> list[tuple[int, Fact]]:
        free = (
            event_outbox.c.delivered_at.is_(None),
            or_(event_outbox.c.leased_until.is_(None), event_outbox.c.leased_until < now),
        )
        pick = (
            select(event_outbox.c.id)
            .where(*free)
            .order_by(event_outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        lease_them = (
            update(event_outbox)
            .where(event_outbox.c.id.in_(pick.scalar_subquery()), *free)
            .values(leased_until=now + lease)
            .returning(event_outbox.c.id, event_outbox.c.fact)
        )
        with self._engine.begin() as connection:
            rows = connection.execute(lease_them).all()
        return sorted((row.id, fact_from_json(row.fact)) for row in rows)

    def delivered(self, ids: Sequence[int], now: datetime) -> None:
        if not ids:
            return
        done = (
            update(event_outbox)
            .where(event_outbox.c.id.in_(list(ids)))
            .values(delivered_at=now, leased_until=None)
        )
        with self._engine.begin() as connection:
            connection.execute(done)

    def pending(self) -> int:
        count = select(func.count()).where(event_outbox.c.delivered_at.is_(None))
        with self._engine.connect() as connection:
            return int(connection.execute(count).scalar_one())

    def seen_as(
        self, campaign_id: str, customer_ids: Sequence[str]
    ) -> dict[str, tuple[Channel, Segment]]:
        """How the storefront first saw each person in the campaign: channel and segment."""
        if not customer_ids:
            return {}
        query = select(kpi_seen.c.customer_id, kpi_seen.c.channel, kpi_seen.c.segment).where(
            kpi_seen.c.campaign_id == campaign_id,
            kpi_seen.c.scope == _FIRST_SEEN,
            kpi_seen.c.customer_id.in_(sorted(set(customer_ids))),
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return {row.customer_id: (Channel(row.channel), Segment(row.segment)) for row in rows}


def fact_to_json(fact: Fact) -> dict[str, Any]:
    return {
        "key": fact.key,
        "kind": fact.kind.value,
        "customer_id": fact.customer_id,
        "at": fact.at.isoformat(),
        "placed_at": fact.placed_at.isoformat() if fact.placed_at else None,
        "campaign_id": fact.campaign_id,
        "order_id": fact.order_id,
        "coupon": fact.coupon,
        "amount": fact.amount,
        "platform_funded": fact.platform_funded,
        "merchant_funded": fact.merchant_funded,
        "lines": [[line.sku, line.qty, line.amount] for line in fact.lines],
    }


def fact_from_json(data: Any) -> Fact:
    placed = data["placed_at"]
    return Fact(
        key=data["key"],
        kind=EventKind(data["kind"]),
        customer_id=data["customer_id"],
        at=datetime.fromisoformat(data["at"]),
        placed_at=datetime.fromisoformat(placed) if placed else None,
        campaign_id=data["campaign_id"],
        order_id=data["order_id"],
        coupon=data["coupon"],
        amount=data["amount"],
        platform_funded=data["platform_funded"],
        merchant_funded=data["merchant_funded"],
        lines=tuple(Line(sku, qty, amount) for sku, qty, amount in data["lines"]),
    )
