"""Settlement statements: runs, statements and their lines (one per settled posting).

Revision ID: 0035_statements
Revises: 0032_journal
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_statements"
down_revision = "0032_journal"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "settlement_runs",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False, server_default=""),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "statements",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("prepared_by", sa.String(64), nullable=False),
        sa.Column("run_key", sa.String(200), nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.UniqueConstraint("campaign_id", "shop", "seq", name="uq_statements_seq"),
    )
    op.create_index("ix_statements_run", "statements", ["run_key"])
    op.create_table(
        "statement_lines",
        sa.Column("statement_id", sa.String(200), sa.ForeignKey("statements.id"), primary_key=True),
        sa.Column("no", sa.Integer, primary_key=True),
        sa.Column(
            "posting_id", _ID, sa.ForeignKey("journal_postings.id"), nullable=False, unique=True
        ),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("entry_key", sa.String(200), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refs", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("statement_lines")
    op.drop_index("ix_statements_run", "statements")
    op.drop_table("statements")
    op.drop_table("settlement_runs")
