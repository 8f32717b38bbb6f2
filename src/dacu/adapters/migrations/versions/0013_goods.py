"""Goods: shops run by merchants, their SKUs, and the catalog's revision.

Revision ID: 0013_goods
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_goods"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("merchant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shops_merchant", "shops", ["merchant"])
    op.create_table(
        "skus",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("list_price", sa.BigInteger, nullable=False),
        sa.Column("cost_price", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_skus_shop", "skus", ["shop"])
    op.create_index("ix_skus_revision", "skus", ["revision"])
    revisions = op.create_table(
        "goods_revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(revisions, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("goods_revision")
    op.drop_index("ix_skus_revision", "skus")
    op.drop_index("ix_skus_shop", "skus")
    op.drop_table("skus")
    op.drop_index("ix_shops_merchant", "shops")
    op.drop_table("shops")
