"""Budgets in depth: release requests of the reserve, and budget ids long enough for the
department and promotion lines.

Revision ID: 0037_budget_depth
Revises: 0032_journal
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_budget_depth"
down_revision = "0032_journal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_release_requests",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint(
            "campaign_id", "idempotency_key", name="uq_budget_release_requests_key"
        ),
    )
    op.create_index(
        "ix_budget_release_requests_campaign_id", "budget_release_requests", ["campaign_id"]
    )
    with op.batch_alter_table("budget_draws") as batch:
        batch.alter_column(
            "campaign_id", existing_type=sa.String(64), type_=sa.String(200), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("budget_draws") as batch:
        batch.alter_column(
            "campaign_id", existing_type=sa.String(200), type_=sa.String(64), nullable=False
        )
    op.drop_index("ix_budget_release_requests_campaign_id", "budget_release_requests")
    op.drop_table("budget_release_requests")
