"""Migrations build exactly the schema the code declares, on every database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dacu.adapters.tables import metadata  # all tables: the KPI module adds its own

pytestmark = pytest.mark.integration


def test_migrations_match_the_declared_tables(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
