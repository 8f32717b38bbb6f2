"""Orders, their refunds and the funding ledger."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from dacu.adapters.tables.base import AwareDateTime, metadata

orders = Table(
    "orders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", String(24), nullable=False),  # an OrderStatus
    Column("document", JSON, nullable=False),  # lines with every share, coupons: the locked quote
    Column("refunded", JSON, nullable=False),  # units given back, by SKU
    Column("version", Integer, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("pay_by", AwareDateTime(), nullable=False),
    UniqueConstraint("customer_id", "idempotency_key", name="uq_orders_idempotency"),
    Index("ix_orders_unpaid", "status", "pay_by"),  # the sweeper's question
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    UniqueConstraint("order_id", "idempotency_key", name="uq_refunds_idempotency"),
)

# Who funds each fen: + when an order is paid, − when a refund claws it back.
ledger = Table(
    "ledger",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("refund_id", String(64), nullable=True),
    Column("rule_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False),
    Column("platform", BigInteger, nullable=False),
    Column("merchant", BigInteger, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Column("budget", String(64), nullable=True),  # the campaign budget funding `platform`
    Index("ix_ledger_budget", "budget"),
)
