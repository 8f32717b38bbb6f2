"""Orders with stock reservations and compiled campaigns: both lines of 0011 joined.

Revision ID: 0012
Revises: 0011_orders, 0011_campaigns
"""

revision = "0012"
down_revision = ("0011_orders", "0011_campaigns")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
