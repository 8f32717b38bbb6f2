"""Acquisition (拉新): invite and merchant codes, share links, reward decisions and caps.

Revision ID: 0026_acquisition
Revises: 0025_coins
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_acquisition"
down_revision = "0025_coins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invite_codes",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "merchant_codes",
        sa.Column("shop_id", sa.String(64), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "shares",
        sa.Column("token", sa.String(32), primary_key=True),
        sa.Column("sharer", sa.String(64), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("opens", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sharer", "target", "target_id", "day", name="uq_shares_per_day"),
    )
    op.create_table(
        "acquisition_rewards",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("mechanic", sa.String(16), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("coupon", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("line", sa.String(160), nullable=True),
        sa.Column("drawn", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_acquisition_rewards_campaign",
        "acquisition_rewards",
        ["campaign_id", "mechanic", "outcome"],
    )
    op.create_index(
        "ix_acquisition_rewards_customer", "acquisition_rewards", ["customer_id", "mechanic"]
    )
    op.create_table(
        "acquisition_counts",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("acquisition_counts")
    op.drop_index("ix_acquisition_rewards_customer", "acquisition_rewards")
    op.drop_index("ix_acquisition_rewards_campaign", "acquisition_rewards")
    op.drop_table("acquisition_rewards")
    op.drop_table("shares")
    op.drop_table("merchant_codes")
    op.drop_table("invite_codes")
