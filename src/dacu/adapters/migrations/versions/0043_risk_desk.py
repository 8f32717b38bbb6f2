"""The risk review queue (风控审核): held subjects and appeals.

Revision ID: 0043_risk_desk
Revises: 0039
"""

import sqlalchemy as sa
from alembic import op

revision = "0043_risk_desk"
down_revision = "0039"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_reviews",
        sa.Column("id", sa.String(260), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("open_key", sa.String(260), nullable=True, unique=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False, server_default=""),
        sa.Column("campaign_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("amount", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("reason", sa.String(64), nullable=False, server_default=""),
        sa.Column("score", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("appeal", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("appeal_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("appeal_reason", sa.String(1000), nullable=False, server_default=""),
        sa.Column("appealed_at", _AT, nullable=True),
        sa.Column("decision", sa.String(24), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("decided_at", _AT, nullable=True),
        sa.Column("note", sa.String(1000), nullable=False, server_default=""),
        sa.Column("blacklisted", sa.JSON, nullable=False),
    )
    op.create_index("ix_risk_reviews_queue", "risk_reviews", ["status", "created_at"])
    op.create_index("ix_risk_reviews_appeals", "risk_reviews", ["appeal_by", "appealed_at"])
    op.create_index("ix_risk_reviews_customer", "risk_reviews", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_risk_reviews_customer", "risk_reviews")
    op.drop_index("ix_risk_reviews_appeals", "risk_reviews")
    op.drop_index("ix_risk_reviews_queue", "risk_reviews")
    op.drop_table("risk_reviews")
