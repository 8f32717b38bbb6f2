"""The coin ledger (entries with reasons, a balance never below zero) and referrals.

Revision ID: 0025_coins
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_coins"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coin_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=True),
        sa.Column("coins", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_coin_entries_customer", "coin_entries", ["customer_id", "id"])
    op.create_table(
        "coin_balances",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("balance", sa.BigInteger, nullable=False),
        sa.Column("debt", sa.BigInteger, nullable=False),
        sa.CheckConstraint("balance >= 0", name="ck_coin_balances_balance"),
        sa.CheckConstraint("debt >= 0", name="ck_coin_balances_debt"),
    )

    op.create_table(
        "referrals",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("referrer", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_referrals_referrer", "referrals", ["kind", "referrer"])


def downgrade() -> None:
    op.drop_index("ix_referrals_referrer", "referrals")
    op.drop_table("referrals")
    op.drop_table("coin_balances")
    op.drop_index("ix_coin_entries_customer", "coin_entries")
    op.drop_table("coin_entries")
