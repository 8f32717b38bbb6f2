"""Merchants' profiles and their enrollments in campaigns.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merchants",
        sa.Column("shop", sa.String(64), primary_key=True),
        sa.Column("verified", sa.Integer, nullable=False),
        sa.Column("rating_bp", sa.Integer, nullable=False),
        sa.Column("last_serious_violation", sa.DateTime(timezone=True), nullable=True),
        sa.Column("categories", sa.JSON, nullable=False),
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("list_price", sa.BigInteger, nullable=False),
        sa.Column("campaign_price", sa.BigInteger, nullable=False),
        sa.Column("committed_stock", sa.Integer, nullable=False),
        sa.Column("review", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.UniqueConstraint("campaign_id", "sku", name="uq_enrollments_sku"),
    )
    op.create_index("ix_enrollments_campaign_id", "enrollments", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_enrollments_campaign_id", "enrollments")
    op.drop_table("enrollments")
    op.drop_table("merchants")
