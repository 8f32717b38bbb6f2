"""Coin earnings, sign-ins and daily tasks: one row per deed, keyed so a deed is kept once.

`coin_awards` records every earning by its key, whatever became of it (given,
held for review, refused because the budget line was spent …); `coin_issued`
is a campaign's net coins given and what they drew from its `coins` line, the
row every earning of the campaign holds while it draws.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    false,
)

from dacu.adapters.tables.base import AwareDateTime, metadata

coin_awards = Table(
    "coin_awards",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("campaign_id", String(64), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("coins", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("fen", BigInteger, nullable=False),  # what it drew from the line
    Column("at", AwareDateTime(), nullable=False),
    Index("ix_coin_awards_campaign", "campaign_id", "status"),
)

coin_issued = Table(
    "coin_issued",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("coins", BigInteger, nullable=False),  # net coins given
)

coin_orders = Table(
    "coin_orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("paid", BigInteger, nullable=True),  # null: a refund seen before the payment
    Column("refunded", BigInteger, nullable=False),  # cumulative, fen
    Column("given", Boolean, nullable=False, server_default=false()),
)

sign_ins = Table(
    "sign_ins",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),  # Asia/Shanghai
    Column("streak", Integer, nullable=False),
    Column("coins", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Index("ix_sign_ins_day", "campaign_id", "day"),
)

tasks_done = Table(
    "tasks_done",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("task_id", String(64), primary_key=True),
    Column("source", String(200), nullable=False),
    Column("coins", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Index("ix_tasks_done_day", "campaign_id", "day"),
)

task_days = Table(
    "task_days",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("done", Integer, nullable=False),
    Column("all_done_at", AwareDateTime(), nullable=True),
    Index("ix_task_days_day", "campaign_id", "day"),
)

task_months = Table(
    "task_months",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),  # 2026-09
    Column("days", Integer, nullable=False),  # days with every task done
)
