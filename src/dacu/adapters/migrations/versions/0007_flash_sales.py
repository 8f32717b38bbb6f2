"""Flash sales decided by the SQL stock gate.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flash_sales",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stock_left", sa.Integer, nullable=False),
        sa.Column("limit_per_user", sa.Integer, nullable=False),
        sa.CheckConstraint("stock_left >= 0", name="ck_flash_sales_stock_left_not_negative"),
    )
    op.create_table(
        "flash_counts",
        sa.Column("sale_id", sa.String(64), sa.ForeignKey("flash_sales.id")),
        sa.Column("user_id", sa.String(64)),
        sa.Column("bought", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("sale_id", "user_id", name="pk_flash_counts"),
    )
    op.create_table(
        "flash_reservations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("sale_id", sa.String(64), sa.ForeignKey("flash_sales.id"), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("qty", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sale_id", "request_id", name="uq_flash_reservations_request"),
    )


def downgrade() -> None:
    op.drop_table("flash_reservations")
    op.drop_table("flash_counts")
    op.drop_table("flash_sales")
