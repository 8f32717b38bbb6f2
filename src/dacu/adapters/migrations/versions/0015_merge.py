"""Access (expiring tokens, console sessions) and goods with customers: both lines joined.

Revision ID: 0015
Revises: 0013_access, 0014_customers
"""

revision = "0015"
down_revision = ("0013_access", "0014_customers")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
