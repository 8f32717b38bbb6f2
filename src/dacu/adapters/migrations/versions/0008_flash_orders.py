"""Orders written from a stock gate's stream.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flash_orders",
        sa.Column("sale_id", sa.String(64)),
        sa.Column("request_id", sa.String(128)),
        sa.Column("entry", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("qty", sa.Integer, nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sale_id", "request_id", name="pk_flash_orders"),
    )


def downgrade() -> None:
    op.drop_table("flash_orders")
