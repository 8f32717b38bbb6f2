"""Registration by phone and budgets as hard caps: both lines joined.

Revision ID: 0022
Revises: 0018_registration, 0021_budgets
"""

revision = "0022"
down_revision = ("0018_registration", "0021_budgets")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
