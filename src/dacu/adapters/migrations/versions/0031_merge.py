"""The growth mechanics together: acquisition, rebates, the lottery, tasks and rewards.

Revision ID: 0031
Revises: 0026_acquisition, 0027_rebates, 0028_lottery, 0029_tasks, 0030_redeem
"""

revision = "0031"
down_revision = ("0026_acquisition", "0027_rebates", "0028_lottery", "0029_tasks", "0030_redeem")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
