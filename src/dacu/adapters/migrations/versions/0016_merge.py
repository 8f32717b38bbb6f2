"""Payments joined with access, goods and customers: both lines meet again.

Revision ID: 0016
Revises: 0015, 0013_payments
"""

revision = "0016"
down_revision = ("0015", "0013_payments")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
