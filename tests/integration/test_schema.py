"""Migrations build exactly the schema the code declares, on every database.

On PostgreSQL the big tables are partitioned by time (`adapters/partitions.py`):
their partitions and key tables are not declared, and the constraints that
partitioning reshapes — keys holding the partition key, foreign keys to the
key tables or by (id, at) — are held by tests/integration/test_partitions.py."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dacu.adapters.partitions import PARTITIONED, beside_declared
from dacu.adapters.tables import metadata  # all tables: the KPI module adds its own

pytestmark = pytest.mark.integration

_RESHAPED = {*PARTITIONED, "refunds", "ledger", "statement_lines"}


def _declared(name, type_, _parent):
    return not (type_ == "table" and beside_declared(name))


def _not_reshaped(item, _name, type_, _reflected, _compare_to):
    reshaped = type_ in ("foreign_key_constraint", "unique_constraint", "index")
    return not (reshaped and item.table.name in _RESHAPED)


def test_migrations_match_the_declared_tables(engine):
    options = {}
    if engine.dialect.name == "postgresql":
        options = {"include_name": _declared, "include_object": _not_reshaped}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, metadata)
    assert differences == []
