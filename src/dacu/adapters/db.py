"""Database engines and schema upgrades: SQLite by default, PostgreSQL (psycopg 3) when set."""

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(raw: str) -> URL:
    """The URL with the driver dacu uses: psycopg 3 for PostgreSQL."""
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


POOL = {"pool_size": 16, "max_overflow": 16, "pool_use_lifo": True}
"""A server's pool: room for every thread of an API worker busy at once, so connections
are kept, not opened and closed per request (PostgreSQL forks a process for each);
last in, first out, so the connections not needed lately are the ones left idle."""

IDLE_BEFORE_PING = 10.0
"""A pooled connection idle this long (seconds) is pinged before use, and replaced if the
server has dropped it; a connection in steady use is not (a round trip per checkout)."""


def make_engine(raw_url: str, **options: object) -> Engine:
    url = database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    pooled = {} if "poolclass" in options else POOL
    engine = create_engine(url, **{**pooled, **options})
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling for connections that sat idle, and only for them."""

    def returned(_dbapi: object, record: ConnectionPoolEntry) -> None:
        record.info["returned_at"] = time.monotonic()

    def taken(dbapi: DBAPIConnection, record: ConnectionPoolEntry, _proxy: object) -> None:
        if time.monotonic() - record.info.get("returned_at", 0.0) < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error  # the pool connects afresh

    event.listen(engine, "connect", returned)  # a new connection needs no ping
    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", taken)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    # WAL lets readers run beside the single writer; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(raw_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = database_url(raw_url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escapes
    return config


def upgrade(raw_url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (the latest by default)."""
    command.upgrade(alembic_config(raw_url), revision)
