"""Raw events partitioned by month of `at` on PostgreSQL (SQLite keeps a plain table).

The primary key takes the partition key: (id, at). A batch sent again carries
the same events, ids and times, and still counts once; retention drops whole
months (`dacu db partitions --retain-events DAYS`).

Revision ID: 0058
Revises: 0045
"""

from datetime import UTC, datetime

from alembic import op
from sqlalchemy import text

from dacu.adapters.partition_ddl import drop_partitioned, to_partitioned, to_plain

revision = "0058"
down_revision = "0045"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    old = to_partitioned(connection, "events", datetime.now(UTC))
    connection.execute(text(f"DROP TABLE {old}"))
    connection.execute(text("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id, at)"))
    connection.execute(text("CREATE INDEX ix_events_campaign_at ON events (campaign_id, at)"))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    old = to_plain(connection, "events")
    drop_partitioned(connection, old)
    # fails (and changes nothing) if one id was stored at two times
    connection.execute(text("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id)"))
    connection.execute(text("CREATE INDEX ix_events_campaign_at ON events (campaign_id, at)"))
