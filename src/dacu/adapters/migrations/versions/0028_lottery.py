"""The lottery 摇摇欲坠: chances, grants, prizes given and draws.

Revision ID: 0028_lottery
Revises: 0025_coins
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_lottery"
down_revision = "0025_coins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lottery_chances",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("granted", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        sa.CheckConstraint("used >= 0 AND used <= granted", name="ck_lottery_chances_used"),
    )
    op.create_table(
        "lottery_grants",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("chances", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "lottery_given",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("prize_id", sa.String(64), primary_key=True),
        sa.Column("given", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "lottery_draws",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("prize_id", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("roll", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("campaign_id", "customer_id", "key", name="uq_lottery_draws_key"),
    )
    op.create_index(
        "ix_lottery_draws_customer", "lottery_draws", ["campaign_id", "customer_id", "at"]
    )
    op.create_index("ix_lottery_draws_prize", "lottery_draws", ["campaign_id", "prize_id"])


def downgrade() -> None:
    op.drop_index("ix_lottery_draws_prize", "lottery_draws")
    op.drop_index("ix_lottery_draws_customer", "lottery_draws")
    op.drop_table("lottery_draws")
    op.drop_table("lottery_given")
    op.drop_table("lottery_grants")
    op.drop_table("lottery_chances")
