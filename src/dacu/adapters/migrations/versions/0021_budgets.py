"""Budgets as hard caps: draws per campaign, released reserve, and the ledger's budget.

Revision ID: 0021_budgets
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_budgets"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_draws",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("drawn", sa.BigInteger, nullable=False),
        sa.Column("released", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "budget_releases",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("campaign_id", "idempotency_key", name="uq_budget_releases_key"),
    )
    with op.batch_alter_table("ledger") as batch:
        batch.add_column(sa.Column("budget", sa.String(64), nullable=True))
        batch.create_index("ix_ledger_budget", ["budget"])


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.drop_index("ix_ledger_budget")
        batch.drop_column("budget")
    op.drop_table("budget_releases")
    op.drop_table("budget_draws")
