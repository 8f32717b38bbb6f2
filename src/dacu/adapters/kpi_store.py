"""Events and their rollups in the system of record.

`record` writes a batch in one transaction: the events new to the store, and
what they add to the hourly, per-SKU and distinct-people counters. A batch
sent again finds its events stored and adds nothing. Rows are touched in key
order, so concurrent batches from several API processes wait, never deadlock.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, tuple_, update
from sqlalchemy.engine import Connection

from dacu.adapters import kpi_rebuild
from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.sql import bulk_upsert
from dacu.adapters.tables import events, kpi_buyers, kpi_hourly, kpi_seen, kpi_skus
from dacu.domain.events import Channel, Event, EventKind, Line, Segment, hour_of
from dacu.domain.kpis import COUNTERS, Figures, Fold, SkuFigures, fold, scope_counter
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
            fresh = _insert_new(connection, batch, now)
            _roll_up(connection, fold(fresh))
        return fresh

    def cells(self, campaign_id: str) -> list[Cell]:
        query = select(kpi_hourly).where(kpi_hourly.c.campaign_id == campaign_id)
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(kpi_hourly.c.hour)).mappings().all()
        return [
            (
                row["hour"],
                Channel(row["channel"]),
                Segment(row["segment"]),
                Figures(**{name: row[name] for name in COUNTERS}),
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
            select(kpi_skus)
            .where(kpi_skus.c.campaign_id == campaign_id)
            .order_by(kpi_skus.c.gmv.desc(), kpi_skus.c.sku)
            .limit(limit)
        )
        return self._skus(query)

    def skus(self, campaign_id: str, names: Sequence[str]) -> list[SkuFigures]:
        query = select(kpi_skus).where(
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
        return [SkuFigures(r.sku, r.views, r.carts, r.units, r.gmv) for r in rows]


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
    _count_firsts(connection, folded, in_order)
    _count_repeat_buyers(connection, folded)
    _add(connection, kpi_hourly, ["campaign_id", "hour", "channel", "segment"], _cell_rows(folded))
    sku_rows = [
        {"campaign_id": campaign, "sku": sku, "views": 0, "carts": 0, "units": 0, "gmv": 0, **adds}
        for (campaign, sku), adds in sorted(folded.skus.items())
    ]
    _add(connection, kpi_skus, ["campaign_id", "sku"], sku_rows)


def _count_firsts(connection: Connection, folded: Fold, in_order: bool) -> None:
    """Count each person once per scope, in the cell of their earliest event.

    A person already counted is moved to an earlier cell when an earlier event
    of theirs arrives late (a phone that sends its batch after coming online);
    `in_order` says no event can be earlier than those stored (a replay).
    """
    keys = sorted(folded.firsts)
    taken: set[tuple[str, str, str]] = set()
    made = bulk_upsert(
        connection,
        kpi_seen,
        [_seen_row(key, folded.firsts[key]) for key in keys],
        key=_SEEN_KEY,
        returning=_SEEN_KEY,
    )
    if made:
        for campaign_id, scope, customer_id in made:
            key = (campaign_id, scope, customer_id)
            taken.add(key)
            _bump(folded.cell(folded.firsts[key]), scope_counter(key[1]), 1)
    if in_order:
        return
    later = [key for key in keys if key not in taken]
    for part in (later[at : at + _CHUNK] for at in range(0, len(later), _CHUNK)):
        _move_earlier(connection, folded, part)


def _move_earlier(
    connection: Connection, folded: Fold, keys: Sequence[tuple[str, str, str]]
) -> None:
    key_columns = (kpi_seen.c.campaign_id, kpi_seen.c.scope, kpi_seen.c.customer_id)
    stored = connection.execute(
        select(kpi_seen)
        .where(tuple_(*key_columns).in_(list(keys)))
        .order_by(*key_columns)
        .with_for_update()
    ).all()
    for row in stored:
        key = (row.campaign_id, row.scope, row.customer_id)
        event = folded.firsts[key]
        if event.at >= row.at:
            continue
        connection.execute(
            update(kpi_seen)
            .where(*(column == value for column, value in zip(key_columns, key, strict=True)))
            .values(at=event.at, channel=event.channel.value, segment=event.segment.value)
        )
        counter = scope_counter(row.scope)
        was = (row.campaign_id, hour_of(row.at), Channel(row.channel), Segment(row.segment))
        _bump(folded.cells.setdefault(was, Figures()), counter, -1)
        _bump(folded.cell(event), counter, 1)


def _seen_row(key: tuple[str, str, str], event: Event) -> dict[str, Any]:
    campaign_id, scope, customer_id = key
    return {
        "campaign_id": campaign_id,
        "scope": scope,
        "customer_id": customer_id,
        "at": event.at,
        "channel": event.channel.value,
        "segment": event.segment.value,
    }


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
