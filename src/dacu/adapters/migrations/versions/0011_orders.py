"""Orders driven by services: stock reserved per order, the sweeper's index.

Revision ID: 0011_orders
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_orders"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_reservations",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("qty", sa.Integer, nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("order_id", "sku", name="pk_stock_reservations"),
    )
    op.create_index("ix_orders_unpaid", "orders", ["status", "pay_by"])


def downgrade() -> None:
    op.drop_index("ix_orders_unpaid", "orders")
    op.drop_table("stock_reservations")
