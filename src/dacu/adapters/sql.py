"""SQL idioms the stores share, written once for SQLite and PostgreSQL alike."""

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

_COLLATION = re.compile(r' COLLATE "[^"]+"')


def insert_for(connection: Connection, table: Table) -> Any:
    """An INSERT that knows ON CONFLICT on this connection's database."""
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    return make(table)


def count_up_to(
    connection: Connection, table: Table, key: dict[str, Any], column: str, add: int, limit: int
) -> bool:
    """Add `add` to the row's counter unless that passes `limit` — one atomic upsert.

    The row is created at `add` on first use. False, with nothing changed,
    when the counter would go past the limit.
    """
    if add > limit:
        return False
    counter = table.c[column]
    upsert = (
        insert_for(connection, table)
        .values(**key, **{column: add})
        .on_conflict_do_update(
            index_elements=[table.c[name] for name in key],
            set_={column: counter + add},
            where=counter + add <= limit,
        )
        .returning(counter)
    )
    return connection.execute(upsert).first() is not None


def put_row(
    connection: Connection, table: Table, key: dict[str, Any], values: dict[str, Any]
) -> None:
    """Set `values` on the row at `key`, creating it if there is none."""
    upsert = (
        insert_for(connection, table)
        .values(**key, **values)
        .on_conflict_do_update(index_elements=[table.c[name] for name in key], set_=values)
    )
    connection.execute(upsert)


def bulk_upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    add: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[Any]:
    """Insert many rows at once; on a key already stored, add the `add` columns onto it
    (or, with none, leave the stored row alone). Returns `returning` of the rows
    inserted or added to — a row left alone returns nothing. An empty `key` (no adding)
    leaves alone a row that meets any unique constraint of the table.

    PostgreSQL gets one statement over arrays (`unnest`), which it parses once
    however many rows; SQLite gets SQLAlchemy's batched multi-row VALUES.
    """
    if not rows:
        return []
    if connection.dialect.name == "postgresql":
        return _unnest_upsert(connection, table, rows, key, add, returning)
    statement = insert_for(connection, table)
    if add:
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in key],
            set_={name: table.c[name] + statement.excluded[name] for name in add},
        )
    else:
        statement = statement.on_conflict_do_nothing()
    if not returning:
        connection.execute(statement, list(rows))
        return []
    return list(connection.execute(statement.returning(*(table.c[n] for n in returning)), rows))


def _unnest_upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    add: Sequence[str],
    returning: Sequence[str],
) -> list[Any]:
    names = list(rows[0])
    arrays, selected, params = [], [], {}
    for i, name in enumerate(names):
        column = table.c[name]
        as_json = isinstance(column.type, JSON)
        kind = "text" if as_json else column.type.compile(dialect=connection.dialect)
        kind = _COLLATION.sub("", kind)  # an array type takes none: the column applies its own
        arrays.append(f"CAST(:p{i} AS {kind}[])")
        selected.append(f"u.c{i}::json" if as_json else f"u.c{i}")
        values = [row[name] for row in rows]
        params[f"p{i}"] = (
            [json.dumps(v) if v is not None else None for v in values] if as_json else values
        )
    columns = ", ".join(f'"{name}"' for name in names)
    aliases = ", ".join(f"c{i}" for i in range(len(names)))
    if add:
        conflict = ", ".join(f'"{name}"' for name in key)
        sets = ", ".join(f'"{n}" = {table.name}."{n}" + excluded."{n}"' for n in add)
        action = f"({conflict}) DO UPDATE SET {sets}"
    else:
        # no target, as on SQLite: a partitioned table (events) has no unique index on
        # its key alone, only with the partition key (see adapters/partitions.py)
        action = "DO NOTHING"
    sql = (
        f"INSERT INTO {table.name} ({columns}) "
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS u({aliases}) "
        f"ON CONFLICT {action}"
    )
    if returning:
        sql += " RETURNING " + ", ".join(f'"{name}"' for name in returning)
        return list(connection.execute(text(sql), params))
    connection.execute(text(sql), params)
    return []


def copy_rows(
    connection: Connection, table: str, columns: str, rows: Iterable[Sequence[Any]]
) -> None:
    """`rows` into `table`'s `columns` ("a, b, …") by COPY (PostgreSQL), in the
    connection's transaction: one stream, no statement a row."""
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
