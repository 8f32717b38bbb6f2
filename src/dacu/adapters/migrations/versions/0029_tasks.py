"""Coin earnings (once per key, whatever became of them), a campaign's net coins given,
the coins of paid orders, daily sign-ins and daily tasks.

Revision ID: 0029_tasks
Revises: 0025_coins
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_tasks"
down_revision = "0025_coins"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "coin_awards",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("coins", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fen", sa.BigInteger, nullable=False),
        sa.Column("at", _AT, nullable=False),
    )
    op.create_index("ix_coin_awards_campaign", "coin_awards", ["campaign_id", "status"])
    op.create_table(
        "coin_issued",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("coins", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "coin_orders",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("paid", sa.BigInteger, nullable=True),
        sa.Column("refunded", sa.BigInteger, nullable=False),
        sa.Column("given", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    _member_days("sign_ins", sa.Column("streak", sa.Integer, nullable=False))
    op.create_index("ix_sign_ins_day", "sign_ins", ["campaign_id", "day"])
    op.create_table(
        "tasks_done",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("task_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("coins", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", _AT, nullable=False),
    )
    op.create_index("ix_tasks_done_day", "tasks_done", ["campaign_id", "day"])
    op.create_table(
        "task_days",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("all_done_at", _AT, nullable=True),
    )
    op.create_index("ix_task_days_day", "task_days", ["campaign_id", "day"])
    op.create_table(
        "task_months",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("days", sa.Integer, nullable=False),
    )


def _member_days(name: str, *columns: sa.Column[int]) -> None:
    op.create_table(
        name,
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *columns,
        sa.Column("coins", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", _AT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("task_months")
    op.drop_index("ix_task_days_day", "task_days")
    op.drop_table("task_days")
    op.drop_index("ix_tasks_done_day", "tasks_done")
    op.drop_table("tasks_done")
    op.drop_index("ix_sign_ins_day", "sign_ins")
    op.drop_table("sign_ins")
    op.drop_table("coin_orders")
    op.drop_table("coin_issued")
    op.drop_index("ix_coin_awards_campaign", "coin_awards")
    op.drop_table("coin_awards")
