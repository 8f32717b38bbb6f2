"""The risk wiring: each deed's identity and verdict, and an order's delivery address.

Revision ID: 0042_risk_wiring
Revises: 0039
"""

import sqlalchemy as sa
from alembic import op

revision = "0042_risk_wiring"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_deeds",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("identity", sa.JSON, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "order_addresses",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("receiver", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("detail", sa.String(256), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("order_addresses")
    op.drop_table("risk_deeds")
