"""Flash sales of a campaign joined with registration and budgets.

Revision ID: 0023
Revises: 0022, 0020_flash_campaign
"""

revision = "0023"
down_revision = ("0022", "0020_flash_campaign")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
