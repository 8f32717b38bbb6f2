"""SQL idioms the stores share, written once for SQLite and PostgreSQL alike."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


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
