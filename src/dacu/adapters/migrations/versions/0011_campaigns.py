"""Campaigns keep a revision moved by every change and their compiled domain objects.

Rows applied before keep `compiled` NULL: the store compiles them from their
document the first time it loads them.

Revision ID: 0011_campaigns
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_campaigns"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("compiled", sa.JSON, nullable=True))
        batch.create_index("ix_campaigns_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_index("ix_campaigns_status")
        batch.drop_column("compiled")
        batch.drop_column("revision")
