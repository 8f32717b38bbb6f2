"""Rebuilding a table as partitioned and back, with its rows (migrations 0058–0060).

PostgreSQL cannot turn a table into a partitioned one in place: the rows are
copied into a new partitioned table of the same columns, which then takes the
old one's name. Constraints and indexes are the caller's to recreate (after
the copy, which is faster); sequences owned by the old table move to the new.
"""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dacu.adapters.partitions import AHEAD, PARTITIONED, month_of, months, next_month
from dacu.adapters.partitions import create_month as _create_month

_OLD = "{}_unpartitioned"


def to_partitioned(connection: Connection, table: str, now: datetime) -> str:
    """Copy `table` into a partitioned table of its name: a partition per month from its
    earliest row to AHEAD months past `now`, and a default. Returns the old table's
    new name (for the caller to drop once nothing refers to it)."""
    column = PARTITIONED[table]
    old = _OLD.format(table)
    connection.execute(text(f"ALTER TABLE {table} RENAME TO {old}"))
    connection.execute(
        text(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS) PARTITION BY RANGE ({column})")
    )
    connection.execute(text(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT"))
    first = connection.scalar(text(f"SELECT min({column}) FROM {old}")) or now
    last = month_of(now)
    for _ in range(AHEAD):
        last = next_month(last)
    for month in months(min(first, now), last):
        _create_month(connection, table, month)
    connection.execute(text(f"INSERT INTO {table} SELECT * FROM {old}"))
    _move_sequences(connection, old, table)
    return old


def to_plain(connection: Connection, table: str) -> str:
    """Copy the partitioned `table` back into a plain table of its name; returns the
    partitioned table's new name (dropped by the caller, with its partitions)."""
    old = f"{table}_partitioned"
    connection.execute(text(f"ALTER TABLE {table} RENAME TO {old}"))
    connection.execute(text(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS)"))
    connection.execute(text(f"INSERT INTO {table} SELECT * FROM {old}"))
    _move_sequences(connection, old, table)
    return old


def drop_partitioned(connection: Connection, old: str) -> None:
    """Drop a partitioned table left by `to_plain`, its partitions with it."""
    connection.execute(text(f"DROP TABLE {old}"))


def _move_sequences(connection: Connection, source: str, target: str) -> None:
    """Sequences a serial column of `source` owns belong to `target`'s column now, so
    dropping `source` keeps them (and the ids they hand out go on from where they were)."""
    columns = connection.scalars(
        text(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:t)"
            " AND attnum > 0 AND NOT attisdropped"
        ),
        {"t": source},
    )
    for column in list(columns):
        sequence = connection.scalar(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": source, "c": column}
        )
        if sequence is not None:
            connection.execute(text(f"ALTER SEQUENCE {sequence} OWNED BY {target}.{column}"))
