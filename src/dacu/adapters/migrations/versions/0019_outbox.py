"""The event outbox (the server's facts on their way to the KPIs); cancellations counted.

Revision ID: 0019_outbox
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_outbox"
down_revision = "0017"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "event_outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fact", sa.JSON, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("leased_until", _WHEN, nullable=True),
        sa.Column("delivered_at", _WHEN, nullable=True),
        sa.UniqueConstraint("key", name="uq_event_outbox_key"),
    )
    op.create_index("ix_event_outbox_pending", "event_outbox", ["delivered_at", "id"])
    with op.batch_alter_table("kpi_hourly") as table:
        table.add_column(
            sa.Column("cancellations", sa.BigInteger, nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("kpi_hourly") as table:
        table.drop_column("cancellations")
    op.drop_index("ix_event_outbox_pending", "event_outbox")
    op.drop_table("event_outbox")
