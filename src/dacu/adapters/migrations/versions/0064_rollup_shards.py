"""Rollup rows sharded: `kpi_hourly` and `kpi_skus` gain a `shard` in their key.

Each writer folding events adds onto the rows of the shard it holds (a small
number, 0 by default), so two writers never queue on one row; reads sum the
shards. Rows stored before are shard 0.

Revision ID: 0064
Revises: 0060
"""

import sqlalchemy as sa
from alembic import op

revision = "0064"
down_revision = "0060"
branch_labels = None
depends_on = None

_KEYS = {
    "kpi_hourly": ["campaign_id", "hour", "channel", "segment"],
    "kpi_skus": ["campaign_id", "sku"],
}


def upgrade() -> None:
    for table, key in _KEYS.items():
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.add_column(
                sa.Column("shard", sa.SmallInteger(), nullable=False, server_default="0")
            )
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", [*key, "shard"])


def downgrade() -> None:
    for table, key in _KEYS.items():
        columns = ", ".join(key)
        sums = ", ".join(
            f"{name} = (SELECT sum(o.{name}) FROM {table} AS o WHERE "
            + " AND ".join(f"o.{k} = {table}.{k}" for k in key)
            + ")"
            for name in _counters(table)
        )
        op.execute(
            f"INSERT INTO {table} ({columns}, shard) SELECT DISTINCT {columns}, 0 FROM {table} "
            f"WHERE shard <> 0 AND NOT EXISTS (SELECT 1 FROM {table} AS z WHERE z.shard = 0 AND "
            + " AND ".join(f"z.{k} = {table}.{k}" for k in key)
            + ")"
        )
        op.execute(f"UPDATE {table} SET {sums} WHERE shard = 0")  # every shard summed
        op.execute(f"DELETE FROM {table} WHERE shard <> 0")
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", key)
            batch.drop_column("shard")


def _counters(table: str) -> list[str]:
    columns = sa.inspect(op.get_bind()).get_columns(table)
    keys = {*_KEYS[table], "shard"}
    return [column["name"] for column in columns if column["name"] not in keys]
