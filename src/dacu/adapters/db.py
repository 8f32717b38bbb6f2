"""Database engines and schema upgrades: SQLite by default, PostgreSQL (psycopg 3) when set."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(raw: str) -> URL:
    """The URL with the driver dacu uses: psycopg 3 for PostgreSQL."""
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(raw_url: str, **options: object) -> Engine:
    url = database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


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
