"""Rewards given (their record and fulfilment) and coin redemptions (赚币换购)."""

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, false

from dacu.adapters.tables.base import AwareDateTime, metadata

rewards = Table(
    "rewards",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("key", String(200), nullable=False, unique=True),  # given once per key
    Column("customer_id", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("source", String(32), nullable=False),  # the mechanic: lottery, redemption …
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("value", BigInteger, nullable=False),  # fen
    Column("coupon", String(64), nullable=True),
    Column("coins", BigInteger, nullable=False),
    Column("status", String(24), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("due_at", AwareDateTime(), nullable=True),
    Column("ship_name", String(64), nullable=True),
    Column("ship_phone", String(32), nullable=True),
    Column("ship_address", String(400), nullable=True),
    Column("carrier", String(64), nullable=True),
    Column("waybill", String(64), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("error", String(200), nullable=False),
    Column("overdue", Boolean, nullable=False, server_default=false()),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("updated_at", AwareDateTime(), nullable=False),
    Index("ix_rewards_customer", "customer_id", "created_at"),
    Index("ix_rewards_status", "status", "due_at"),
    Index("ix_rewards_stale", "status", "updated_at"),
)

redemptions = Table(
    "redemptions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("key", String(200), nullable=False, unique=True),  # customer and Idempotency-Key
    Column("customer_id", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("coins", BigInteger, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("held", Boolean, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
)

redemption_stock = Table(  # units of each item taken, never past its stock
    "redemption_stock",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("taken", BigInteger, nullable=False),
)

redemption_counts = Table(  # units of each item each customer took, for the limit
    "redemption_counts",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("taken", BigInteger, nullable=False),
)
