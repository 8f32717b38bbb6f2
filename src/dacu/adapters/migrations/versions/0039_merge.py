"""Settlement on the ledger together: the backfill, shipments and charges, statements,
appeals and payouts, budgets in depth, and the lottery's folded counters.

Revision ID: 0039
Revises: 0033_journal_backfill, 0034_shipments, 0036_appeals, 0037_budget_depth,
    0038_lottery_fold
"""

revision = "0039"
down_revision = (
    "0033_journal_backfill",
    "0034_shipments",
    "0036_appeals",
    "0037_budget_depth",
    "0038_lottery_fold",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
