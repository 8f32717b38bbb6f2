"""Flash sales belong to a campaign (and maybe to its flash-price promotion) and say who
funds their cut; a flash order names the full order it became.

Revision ID: 0020_flash_campaign
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_flash_campaign"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flash_sales") as batch:
        # Sales recorded before this name no campaign (''): they are never open again.
        batch.add_column(sa.Column("campaign_id", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("platform_bp", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("promotion_id", sa.String(64), nullable=False, server_default="")
        )
    with op.batch_alter_table("flash_orders") as batch:
        batch.add_column(sa.Column("order_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flash_orders") as batch:
        batch.drop_column("order_id")
    with op.batch_alter_table("flash_sales") as batch:
        batch.drop_column("promotion_id")
        batch.drop_column("platform_bp")
        batch.drop_column("campaign_id")
