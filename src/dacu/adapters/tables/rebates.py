"""Merchant rebates: each customer's first paid order, claimed once, and every accrual."""

from sqlalchemy import BigInteger, Boolean, Column, Index, String, Table, false

from dacu.adapters.tables.base import AwareDateTime, metadata

# The first paid order of each customer, claimed once; its row is the lock a paid fact
# and a refund of the same customer take in turn.
rebate_firsts = Table(
    "rebate_firsts",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("refunded", Boolean, nullable=False, server_default=false()),  # whole, before settling
)

rebates = Table(
    "rebates",
    metadata,
    Column(
        "key", String(200), primary_key=True
    ),  # new_member:{customer}, first_order:{order}:{shop}
    Column("kind", String(16), nullable=False),  # a RebateKind
    Column("shop", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("order_amount", BigInteger, nullable=False),  # fen paid at the shop
    Column("amount", BigInteger, nullable=False),  # fen
    Column("status", String(16), nullable=False),  # a RebateStatus
    Column("reason", String(64), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Column("settled_at", AwareDateTime(), nullable=True),
    Index("ix_rebates_shop", "campaign_id", "shop", "at"),
    Index("ix_rebates_order", "order_id"),
)
