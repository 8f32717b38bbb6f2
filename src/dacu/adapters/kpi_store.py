"""Events and their rollups in the system of record.

`record` writes a batch in one transaction: the events new to the store, and
what they add to the hourly, per-SKU and distinct-people counters. A batch
sent again finds its events stored and adds nothing. Rows are touched in key
order, so concurrent batches from several API processes wait, never deadlock.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.engine import Connection

from dacu.adapters import kpi_fold, kpi_rebuild
from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.kpi_seen import count_firsts
from dacu.adapters.sql import bulk_upsert
from dacu.adapters.tables import events, kpi_buyers, kpi_hourly, kpi_seen, kpi_skus
from dacu.domain.events import Channel, Event, EventKind, Line, Segment
from dacu.domain.kpis import COUNTERS, Figures, Fold, SkuFigures, fold
from dacu.domain.kpis import second_payment as _second

_SEEN_KEY = ["campaign_id", "scope", "customer_id"]
_CHUNK = 400  # rows per multi-row statement: well inside SQLite's bound-parameter limit

Cell = tuple[datetime, Channel, Segment, Figures]


class SqlKpiStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, batch: Sequence[Event], now: datetime) -> list[Event]:
        """Store the events not stored yet and roll them up; returns those."""
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                return kpi_fold.record(connection, batch, now)
            fresh = _insert_new(connection, batch, now)
            _roll_up(connection, fold(fresh))
        return fresh

    def cells(self, campaign_id: str) -> list[Cell]:
        """Every cell of the campaign, its shards summed."""
        key = [kpi_hourly.c[name] for name in ("hour", "channel", "segment")]
        sums = [func.sum(kpi_hourly.c[name]).label(name) for name in COUNTERS]
        query = (
            select(*key, *sums)
            .where(kpi_hourly.c.campaign_id == campaign_id)
            .group_by(*key)
            .order_by(*key)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            (
                row["hour"],
                Channel(row["channel"]),
                Segment(row["segment"]),
                Figures(**{name: int(row[name]) for name in COUNTERS}),
            )
            for row in rows
        ]

    def burn(self, campaign_id: str) -> int:
        """The platform's shares its budget funded on paid orders, net of clawbacks: read
        from the funding ledger, not from the events."""
        with self._engine.connect() as connection:
            return SqlBudgets(connection).burn(campaign_id)

    def totals(self, campaign_id: str, hour: datetime | None = None) -> Figures:
        """Every counter summed over the campaign's cells (or one hour's), in the database."""
        query = select(*(func.coalesce(func.sum(kpi_hourly.c[n]), 0) for n in COUNTERS)).where(
            kpi_hourly.c.campaign_id == campaign_id
        )
        if hour is not None:
            query = query.where(kpi_hourly.c.hour == hour)
        with self._engine.connect() as connection:
            row = connection.execute(query).one()
        return Figures(**{name: int(value) for name, value in zip(COUNTERS, row, strict=True)})

    def top_skus(self, campaign_id: str, limit: int = 10) -> list[SkuFigures]:
        query = (
            _summed_skus()
            .where(kpi_skus.c.campaign_id == campaign_id)
            .order_by(func.sum(kpi_skus.c.gmv).desc(), kpi_skus.c.sku)
            .limit(limit)
        )
        return self._skus(query)

    def skus(self, campaign_id: str, names: Sequence[str]) -> list[SkuFigures]:
        query = _summed_skus().where(
            kpi_skus.c.campaign_id == campaign_id, kpi_skus.c.sku.in_(list(names))
        )
        return self._skus(query)

    def replay(self, campaign_id: str, chunk: int = 20_000) -> int:
        """Rebuild a campaign's rollups from its raw events, in time order; returns how many."""
        with self._engine.begin() as connection:
            for table in (kpi_hourly, kpi_skus, kpi_seen, kpi_buyers):
                connection.execute(delete(table).where(table.c.campaign_id == campaign_id))
            done = 0
            batch: list[Event] = []
            for event in self._stored(connection, campaign_id):
                batch.append(event)
                if len(batch) >= chunk:
                    _roll_up(connection, fold(batch), in_order=True)
                    done += len(batch)
                    batch = []
            _roll_up(connection, fold(batch), in_order=True)
        return done + len(batch)

    def rebuild(self, campaign_id: str) -> int:
        """Rebuild a campaign's rollups: set-based SQL on PostgreSQL, the fold on SQLite."""
        if self._engine.dialect.name != "postgresql":
            return self.replay(campaign_id)
        with self._engine.begin() as connection:
            return kpi_rebuild.rebuild(connection, campaign_id)

    def _stored(self, connection: Connection, campaign_id: str) -> Iterator[Event]:
        query = (
            select(events)
            .where(events.c.campaign_id == campaign_id)
            .order_by(events.c.at, events.c.id)
            .execution_options(yield_per=5_000)
        )
        for row in connection.execute(query).mappings():
            yield event_from_row(row)

    def _skus(self, query: Any) -> list[SkuFigures]:
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            SkuFigures(r.sku, int(r.views), int(r.carts), int(r.units), int(r.gmv)) for r in rows
        ]


def _summed_skus() -> Any:
    """Each SKU's figures, its shards summed."""
    sums = [func.sum(kpi_skus.c[name]).label(name) for name in ("views", "carts", "units", "gmv")]
    return select(kpi_skus.c.sku, *sums).group_by(kpi_skus.c.sku)


def event_from_row(row: Any) -> Event:
    return Event(
        id=row["id"],
        kind=EventKind(row["kind"]),
        campaign_id=row["campaign_id"],
        customer_id=row["customer_id"],
        channel=Channel(row["channel"]),
        segment=Segment(row["segment"]),
        at=row["at"],
        sku=row["sku"],
        order_id=row["order_id"],
        coupon=row["coupon"],
        amount=row["amount"],
        platform_funded=row["platform_funded"],
        merchant_funded=row["merchant_funded"],
        lines=tuple(Line(*line) for line in row["lines"] or ()),
    )


def _insert_new(connection: Connection, batch: Sequence[Event], now: datetime) -> list[Event]:
    """Insert the events not stored yet; an event id is unique within its campaign, and a
    row that meets any unique key of the table (whatever it is) is left alone."""
    by_key = {(event.campaign_id, event.id): event for event in batch}
    rows = [_event_row(by_key[key], now) for key in sorted(by_key)]
    made = bulk_upsert(connection, events, rows, key=[], returning=["campaign_id", "id"])
    stored = {(row[0], row[1]) for row in made}
    return [
        e for e in batch if (e.campaign_id, e.id) in stored and by_key[(e.campaign_id, e.id)] is e
    ]


def _event_row(event: Event, now: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "campaign_id": event.campaign_id,
        "kind": event.kind.value,
        "customer_id": event.customer_id,
        "channel": event.channel.value,
        "segment": event.segment.value,
        "at": event.at,
        "sku": event.sku,
        "order_id": event.order_id,
        "coupon": event.coupon,
        "amount": event.amount,
        "platform_funded": event.platform_funded,
        "merchant_funded": event.merchant_funded,
        "lines": [[line.sku, line.qty, line.amount] for line in event.lines] or None,
        "received_at": now,
    }


def _roll_up(connection: Connection, folded: Fold, in_order: bool = False) -> None:
    count_firsts(connection, folded, in_order)
    _count_repeat_buyers(connection, folded)
    key = ["campaign_id", "hour", "channel", "segment", "shard"]
    _add(connection, kpi_hourly, key, _cell_rows(folded))
    sku_rows = [
        {
            "campaign_id": campaign,
            "sku": sku,
            "shard": 0,
            "views": 0,
            "carts": 0,
            "units": 0,
            "gmv": 0,
            **adds,
        }
        for (campaign, sku), adds in sorted(folded.skus.items())
    ]
    _add(connection, kpi_skus, ["campaign_id", "sku", "shard"], sku_rows)


def _bump(figures: Figures, counter: str, by: int) -> None:
    setattr(figures, counter, getattr(figures, counter) + by)


def _count_repeat_buyers(connection: Connection, folded: Fold) -> None:
    rows = [
        {"campaign_id": c, "customer_id": who, "payments": len(folded.payments[(c, who)])}
        for c, who in sorted(folded.payments)
    ]
    key = ["campaign_id", "customer_id"]
    totals = bulk_upsert(
        connection, kpi_buyers, rows, key=key, add=["payments"], returning=[*key, "payments"]
    )
    for campaign, who, total in totals:
        new = folded.payments[(campaign, who)]
        second = _second(total - len(new), new)
        if second is not None:
            folded.cell(second).repeat_buyers += 1


def _cell_rows(folded: Fold) -> list[dict[str, Any]]:
    return [
        {
            "campaign_id": campaign,
            "hour": hour,
            "channel": channel.value,
            "segment": segment.value,
            "shard": 0,
            **figures.as_dict(),
        }
        for (campaign, hour, channel, segment), figures in sorted(
            folded.cells.items(), key=lambda item: _sortable(item[0])
        )
    ]


def _sortable(key: tuple[str, datetime, Channel, Segment]) -> tuple[str, datetime, str, str]:
    return (key[0], key[1], key[2].value, key[3].value)


def _add(connection: Connection, table: Any, key: list[str], rows: list[dict[str, Any]]) -> None:
    """Add each row's counters onto the stored row at its key (creating it)."""
    if rows:
        counters = [name for name in rows[0] if name not in key]
        bulk_upsert(connection, table, rows, key=key, add=counters)
