"""Merchant rebates: each customer's first paid order and the shops' accruals.

Revision ID: 0027_rebates
Revises: 0025_coins
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_rebates"
down_revision = "0025_coins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rebate_firsts",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("refunded", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "rebates",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("order_amount", sa.BigInteger, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_rebates_shop", "rebates", ["campaign_id", "shop", "at"])
    op.create_index("ix_rebates_order", "rebates", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_rebates_order", "rebates")
    op.drop_index("ix_rebates_shop", "rebates")
    op.drop_table("rebates")
    op.drop_table("rebate_firsts")
