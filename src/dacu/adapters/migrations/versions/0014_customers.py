"""Customers: phone, verification and member tier, owned by the server.

Revision ID: 0014_customers
Revises: 0013_goods
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_customers"
down_revision = "0013_goods"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("phone", sa.String(32), nullable=True, unique=True),
        sa.Column("phone_verified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("member_tier", sa.String(64), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("customers")
