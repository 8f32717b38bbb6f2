"""The double-entry ledger: journal entries and their postings.

Revision ID: 0032_journal
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_journal"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refs", sa.JSON, nullable=False),
        sa.Column("memo", sa.String(500), nullable=False, server_default=""),
    )
    op.create_table(
        "journal_postings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "entry_id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            sa.ForeignKey("journal_entries.id"),
            nullable=False,
        ),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_journal_postings_entry_id", "journal_postings", ["entry_id"])
    op.create_index("ix_journal_postings_account", "journal_postings", ["account", "campaign_id"])
    op.create_index("ix_journal_postings_campaign", "journal_postings", ["campaign_id", "account"])


def downgrade() -> None:
    op.drop_table("journal_postings")
    op.drop_table("journal_entries")
