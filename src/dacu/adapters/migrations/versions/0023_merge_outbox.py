"""The event outbox joined with registration and budgets.

Revision ID: 0023_merge_outbox
Revises: 0022, 0019_outbox
"""

revision = "0023_merge_outbox"
down_revision = ("0022", "0019_outbox")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
