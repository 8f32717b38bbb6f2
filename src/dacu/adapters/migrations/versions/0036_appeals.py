"""Appeals (申诉中心), large-subsidy reviews and payouts of settlement statements.

Revision ID: 0036_appeals
Revises: 0035_statements
"""

import sqlalchemy as sa
from alembic import op

revision = "0036_appeals"
down_revision = "0035_statements"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("statement_id", sa.String(200), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("open_line", sa.String(220), nullable=True, unique=True),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("line_amount", sa.BigInteger, nullable=False),
        sa.Column("claimed", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.Column("filed_at", _AT, nullable=False),
        sa.Column("deadline", _AT, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("decided_at", _AT, nullable=True),
        sa.Column("accepted", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("report", sa.String(4000), nullable=False, server_default=""),
    )
    op.create_index("ix_appeals_shop", "appeals", ["shop", "status"])
    op.create_table(
        "subsidy_reviews",
        sa.Column("id", sa.String(220), primary_key=True),
        sa.Column("statement_id", sa.String(200), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("entry_key", sa.String(200), nullable=False),
        sa.Column("held_at", _AT, nullable=False),
        sa.Column("refs", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("prepared_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("prepared_at", _AT, nullable=True),
        sa.Column("note", sa.String(2000), nullable=False, server_default=""),
        sa.Column("decided_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("decided_at", _AT, nullable=True),
        sa.Column("report", sa.String(2000), nullable=False, server_default=""),
    )
    op.create_index("ix_subsidy_reviews_statement", "subsidy_reviews", ["statement_id"])
    op.create_index("ix_subsidy_reviews_status", "subsidy_reviews", ["status"])
    op.create_table(
        "payouts",
        sa.Column("key", sa.String(220), primary_key=True),
        sa.Column("statement_id", sa.String(200), nullable=False),
        sa.Column("part", sa.String(16), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("lines", sa.JSON, nullable=False),
        sa.Column("file", sa.String(255), nullable=False),
    )
    op.create_index("ix_payouts_statement", "payouts", ["statement_id"])
    op.create_index("ix_payouts_shop", "payouts", ["shop"])


def downgrade() -> None:
    op.drop_table("payouts")
    op.drop_table("subsidy_reviews")
    op.drop_table("appeals")
