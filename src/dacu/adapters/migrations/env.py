"""Alembic environment: runs the project's migrations on the configured URL."""

from alembic import context
from sqlalchemy import pool

from dacu.adapters.db import make_engine
from dacu.adapters.tables import metadata  # importing the package declares every table

config = context.config


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "set sqlalchemy.url"
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
