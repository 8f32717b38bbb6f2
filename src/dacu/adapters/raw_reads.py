"""Reads on every quote, straight through the driver.

A quote reads two small things per request (the live campaigns' revisions,
the customer's held coupons); through SQLAlchemy's connection and result
layers each costs several times the query itself. These go to the pooled
DBAPI connection directly, with SQL written once for SQLite and PostgreSQL.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine


def fetch(engine: Engine, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of one read-only query; `?` marks a parameter on every database."""
    if engine.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool, rolled back


def aware(value: datetime | str) -> datetime:
    """A stored time as `AwareDateTime` reads it: SQLite keeps naive UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
