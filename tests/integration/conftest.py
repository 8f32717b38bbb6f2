"""Real databases for integration tests: a fresh SQLite file always, PostgreSQL when
DACU_TEST_DATABASE_URL names one (each test in a schema of its own)."""

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from dacu.adapters.db import database_url, make_engine, upgrade

POSTGRES_URL = os.environ.get("DACU_TEST_DATABASE_URL")
NO_POSTGRES = "set DACU_TEST_DATABASE_URL to run against PostgreSQL (.ci/run does)"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """An engine on a freshly migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dacu.db'}"
        upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    assert POSTGRES_URL is not None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = database_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    raw = url.render_as_string(hide_password=False)
    upgrade(raw)
    engine = make_engine(raw, pool_size=40, max_overflow=10)  # PostgreSQL allows 100
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
