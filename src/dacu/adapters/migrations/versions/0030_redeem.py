"""Rewards given and their fulfilment; the coin redemption catalog's counters.

Revision ID: 0030_redeem
Revises: 0025_coins
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_redeem"
down_revision = "0025_coins"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rewards",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("coupon", sa.String(64), nullable=True),
        sa.Column("coins", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("ship_name", sa.String(64), nullable=True),
        sa.Column("ship_phone", sa.String(32), nullable=True),
        sa.Column("ship_address", sa.String(400), nullable=True),
        sa.Column("carrier", sa.String(64), nullable=True),
        sa.Column("waybill", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.String(200), nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_rewards_customer", "rewards", ["customer_id", "created_at"])
    op.create_index("ix_rewards_status", "rewards", ["status", "due_at"])
    op.create_index("ix_rewards_stale", "rewards", ["status", "updated_at"])
    op.create_table(
        "redemptions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("qty", sa.Integer, nullable=False),
        sa.Column("coins", sa.BigInteger, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("held", sa.Boolean, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_table(
        "redemption_stock",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("taken", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "redemption_counts",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("item_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("taken", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("redemption_counts")
    op.drop_table("redemption_stock")
    op.drop_table("redemptions")
    op.drop_index("ix_rewards_stale", "rewards")
    op.drop_index("ix_rewards_status", "rewards")
    op.drop_index("ix_rewards_customer", "rewards")
    op.drop_table("rewards")
