"""The lottery's draws counted into the per-campaign counters behind the draw: a draw
the Redis script made is written with `counted` false and folded into `lottery_given`
and the budget line exactly once; every draw already written was counted.

Revision ID: 0038_lottery_fold
Revises: 0032_journal
"""

import sqlalchemy as sa
from alembic import op

revision = "0038_lottery_fold"
down_revision = "0032_journal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "lottery_draws",
        sa.Column("counted", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_index(
        "ix_lottery_draws_uncounted",
        "lottery_draws",
        ["campaign_id"],
        postgresql_where=sa.text("NOT counted"),
        sqlite_where=sa.text("counted = 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_lottery_draws_uncounted", "lottery_draws")
    with op.batch_alter_table("lottery_draws") as table:
        table.drop_column("counted")
