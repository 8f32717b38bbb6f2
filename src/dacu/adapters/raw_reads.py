"""Reads on every quote, straight through the driver on connections of their own.

A quote reads two small things per request (the live campaigns' revisions,
the customer's held coupons). Through SQLAlchemy's pool each read would pay
a checkout, PostgreSQL's pre-ping and a rollback on return — three round
trips for one query. These reads go instead over autocommit connections
of their own, kept out of the pool, with SQL written once for SQLite and
PostgreSQL; a connection that fails is dropped and the read tried once more,
and disposing of the engine closes them all.
"""

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event


class HotReads:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._format = engine.dialect.paramstyle != "qmark"
        self._statements: dict[str, str] = {}  # as written -> in the driver's paramstyle
        # psycopg prepares a statement on the server at its first run, not its sixth
        self._prepare = {"prepare": True} if engine.dialect.driver == "psycopg" else {}
        self._errors: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._idle: list[tuple[Any, Any]] = []  # (connection, cursor), as many as ran at once
        self._opened: list[Any] = []
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", self._close_all)

    def fetch(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read-only query; `?` marks a parameter on every database."""
        statement = self._statements.get(sql)
        if statement is None:
            statement = self._statements[sql] = sql.replace("?", "%s") if self._format else sql
        for attempt in range(2):
            connection, cursor = self._take()
            try:
                cursor.execute(statement, params, **self._prepare)
                rows: list[tuple[Any, ...]] = cursor.fetchall()
            except self._errors:
                connection.close()  # broken, or the server restarted: not given back
                if attempt:
                    raise
                continue
            with self._lock:
                self._idle.append((connection, cursor))
            return rows
        raise AssertionError("unreachable")

    def _take(self) -> tuple[Any, Any]:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        pooled = self._engine.raw_connection()
        pooled.detach()  # ours from now on, not the pool's
        found = pooled.dbapi_connection
        assert found is not None
        found.rollback()
        if self._engine.dialect.name == "sqlite":
            found.isolation_level = None  # autocommit: each read sees the latest commit
        else:
            found.autocommit = True
        with self._lock:
            self._opened.append(found)
        return found, found.cursor()  # one cursor a connection, run again and again

    def _close_all(self, _engine: Engine) -> None:
        with self._lock:
            opened, self._opened, self._idle = self._opened, [], []
        for connection in opened:
            connection.close()


def aware(value: datetime | str) -> datetime:
    """A stored time as `AwareDateTime` reads it: SQLite keeps naive UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
