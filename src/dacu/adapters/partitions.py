"""Time partitions of the big tables on PostgreSQL (SQLite keeps plain tables).

`events`, `orders`, `journal_entries` and `journal_postings` are partitioned by
RANGE on an aware timestamp, one partition per Asia/Shanghai calendar month
(`<table>_pYYYYMM`), plus a `<table>_default` partition that catches a row no
month holds yet. Migrations 0058–0060 convert the tables; `dacu db partitions`
lists them, creates the months ahead and drops raw events past their retention.
Orders and ledger rows are never dropped: only `RETAINED` tables are.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection

ZONE = ZoneInfo("Asia/Shanghai")

PARTITIONED = {
    "events": "at",
    "orders": "created_at",
    "journal_entries": "at",
    "journal_postings": "at",
}
"""Each partitioned table and its partition key."""

RETAINED = ("events",)
"""The only tables whose old partitions retention may drop."""

KEY_TABLES = ("order_keys", "journal_keys")
"""Plain tables that hold what must stay unique across all of a table's partitions."""

AHEAD = 3
"""Months created ahead of the current one when a table is converted."""


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    month: datetime | None  # the first instant of its month; None for the default
    rows: int


def month_of(moment: datetime) -> datetime:
    """The first instant of the Shanghai calendar month holding `moment`."""
    local = moment.astimezone(ZONE)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(month: datetime) -> datetime:
    return month_of(month + timedelta(days=32))


def months(first: datetime, last: datetime) -> Iterator[datetime]:
    """Every month from the one holding `first` to the one holding `last`, inclusive."""
    month, end = month_of(first), month_of(last)
    while month <= end:
        yield month
        month = next_month(month)


def partition_name(table: str, month: datetime) -> str:
    return f"{table}_p{month:%Y%m}"


def is_partitioned(connection: Connection, table: str) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    found = connection.scalar(
        text("SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(:t)"),
        {"t": table},
    )
    return bool(found == "p")


def create_month(connection: Connection, table: str, month: datetime) -> bool:
    """Create the table's partition for `month` unless it exists; rows of that month
    already caught by the default partition move into it. True when created."""
    name = partition_name(table, month)
    if connection.scalar(text("SELECT to_regclass(:n)"), {"n": name}) is not None:
        return False
    column = PARTITIONED[table]
    bounds = {"lo": month, "hi": next_month(month)}
    lo, hi = _literal(month), _literal(bounds["hi"])
    caught = connection.scalar(
        text(
            f"SELECT EXISTS (SELECT FROM {table}_default WHERE {column} >= :lo AND {column} < :hi)"
        ),
        bounds,
    )
    # Made beside the table and attached, not CREATE … PARTITION OF: attaching locks the
    # table only against other schema changes, so checkouts and posts go on meanwhile.
    connection.execute(text(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)"))
    referring = _foreign_keys_to(connection, table) if caught else []
    if caught:  # only when a month was not made ahead, as it should be
        _move_caught(connection, table, name, referring, bounds)
    connection.execute(
        text(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({lo}) TO ({hi})")
    )
    connection.execute(text("SET LOCAL dacu.moving_rows = 'off'"))
    for owner, constraint, definition in referring:
        connection.execute(text(f"ALTER TABLE {owner} ADD CONSTRAINT {constraint} {definition}"))
    return True


def _move_caught(
    connection: Connection,
    table: str,
    name: str,
    referring: list[tuple[str, str, str]],
    bounds: dict[str, datetime],
) -> None:
    """Move the default partition's rows of the month into `name`. A foreign key to a
    partitioned table checks each partition apart, so one to this table would see its
    rows leave the default: it is dropped here and made again once they are attached.
    The rows are moved, not deleted: the key tables keep their keys (see 0059, 0060)."""
    column = PARTITIONED[table]
    for owner, constraint, _ in referring:
        connection.execute(text(f"ALTER TABLE {owner} DROP CONSTRAINT {constraint}"))
    connection.execute(text("SET LOCAL dacu.moving_rows = 'on'"))
    connection.execute(
        text(
            f"WITH moved AS (DELETE FROM {table}_default WHERE {column} >= :lo"
            f" AND {column} < :hi RETURNING *) INSERT INTO {name} SELECT * FROM moved"
        ),
        bounds,
    )


def _foreign_keys_to(connection: Connection, table: str) -> list[tuple[str, str, str]]:
    """(table, name, definition) of each foreign key that refers to `table`."""
    rows = connection.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conparentid = 0"
            " AND confrelid = to_regclass(:t)"
        ),
        {"t": table},
    )
    return [(owner, name, definition) for owner, name, definition in rows]


def create_ahead(connection: Connection, months_ahead: int, now: datetime) -> list[str]:
    """The partitions of every partitioned table from this month to `months_ahead`
    months on; returns the names created."""
    created = []
    last = month_of(now)
    for _ in range(months_ahead):
        last = next_month(last)
    for table in PARTITIONED:
        if not is_partitioned(connection, table):
            continue
        for month in months(now, last):
            if create_month(connection, table, month):
                created.append(partition_name(table, month))
    return created


def partitions(connection: Connection) -> list[Partition]:
    """Every partition of the partitioned tables, in month order, with its rows."""
    found = []
    for table in PARTITIONED:
        if not is_partitioned(connection, table):
            continue
        names = connection.scalars(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"
            ),
            {"t": table},
        )
        for name in list(names):
            rows = int(connection.scalar(text(f"SELECT count(*) FROM {name}")) or 0)
            found.append(Partition(table, name, _month_named(table, name), rows))
    return found


def drop_events_before(connection: Connection, cutoff: datetime) -> list[str]:
    """Detach and drop the raw events' partitions wholly before `cutoff`, and delete the
    default partition's rows before it; returns the names dropped. Only `RETAINED`
    tables are touched: orders and the ledger are kept for ever."""
    dropped = []
    for table in RETAINED:
        if not is_partitioned(connection, table):
            continue
        for part in partitions(connection):
            if part.table != table or part.month is None or next_month(part.month) > cutoff:
                continue
            connection.execute(text(f"ALTER TABLE {table} DETACH PARTITION {part.name}"))
            connection.execute(text(f"DROP TABLE {part.name}"))
            dropped.append(part.name)
        column = PARTITIONED[table]
        connection.execute(
            text(f"DELETE FROM {table}_default WHERE {column} < :cutoff"), {"cutoff": cutoff}
        )
    return dropped


def beside_declared(name: str) -> bool:
    """A table partitioning adds beside the declared ones: a partition or a key table
    (left out when the schema is compared with the declared tables)."""
    if name in KEY_TABLES:
        return True
    return any(
        name == f"{table}_default" or _month_named(table, name) is not None for table in PARTITIONED
    )


def _month_named(table: str, name: str) -> datetime | None:
    suffix = name.removeprefix(f"{table}_p")
    if suffix == name or len(suffix) != 6 or not suffix.isdigit():
        return None
    return datetime(int(suffix[:4]), int(suffix[4:]), 1, tzinfo=ZONE)


def _literal(moment: datetime) -> str:
    """A bound of a partition: DDL takes no parameters, so an ISO literal of our own."""
    return f"'{moment.isoformat()}'"
