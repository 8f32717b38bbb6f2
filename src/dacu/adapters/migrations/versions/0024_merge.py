"""The server's outbox joined with flash sales of a campaign.

Revision ID: 0024
Revises: 0023, 0023_merge_outbox
"""

revision = "0024"
down_revision = ("0023", "0023_merge_outbox")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
