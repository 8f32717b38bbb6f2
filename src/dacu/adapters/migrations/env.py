"""Alembic environment: runs the project's migrations on the configured URL."""

from alembic import context
from sqlalchemy import pool

from dacu.adapters.db import make_engine
from dacu.adapters.partitions import beside_declared
from dacu.adapters.tables import metadata  # importing the package declares every table

config = context.config


def _declared(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name is not None and beside_declared(name))


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "set sqlalchemy.url"
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_name=_declared,  # partitions and key tables are the migrations' own
        )
        with context.begin_transaction():
            context.run_migrations()


run()
