"""Payments, the callbacks their providers sent, refunds asked of them, and the channels."""

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from dacu.adapters.tables.base import AwareDateTime, metadata

payments = Table(
    "payments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),  # no key: an order may be written behind
    Column("customer_id", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),  # fen: the order's payable when started
    Column("status", String(16), nullable=False),  # a PaymentStatus
    Column("transaction_id", String(64), nullable=True),  # the provider's
    Column("refunded", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("paid_at", AwareDateTime(), nullable=True),
    UniqueConstraint("channel", "transaction_id", name="uq_payments_transaction"),
    Index("ix_payments_order_id", "order_id"),
)

# Every callback received, accepted or refused, and why. `seen_key` is channel|signature
# for a callback whose signature verified: the same one twice is a replay.
payment_callbacks = Table(
    "payment_callbacks",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("channel", String(32), nullable=False),
    Column("received_at", AwareDateTime(), nullable=False),
    Column("sent_at", String(16), nullable=False),  # the timestamp header, as sent
    Column("signature", String(128), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("seen_key", String(200), nullable=True, unique=True),
    Column("payment_id", String(64), nullable=True, index=True),
    Column("outcome", String(16), nullable=False),  # received, accepted, refused
    Column("reason", String(64), nullable=True),  # an ErrorCode when refused
)

payment_refunds = Table(
    "payment_refunds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("payment_id", String(64), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # a RefundStatus
    Column("provider_ref", String(64), nullable=True),
    Column("requested_at", AwareDateTime(), nullable=False),
    Column("done_at", AwareDateTime(), nullable=True),
    UniqueConstraint("payment_id", "idempotency_key", name="uq_payment_refunds_idempotency"),
)

# Failures and timeouts of each channel, per window (without Redis).
payment_channel_errors = Table(
    "payment_channel_errors",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("slot", BigInteger, primary_key=True),  # seconds since the epoch // the window
    Column("errors", Integer, nullable=False),
)

# The channel new payments go to: one row, switched only with a version check.
payment_routing = Table(
    "payment_routing",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("active", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("switched_at", AwareDateTime(), nullable=False),
    Column("switched_by", String(64), nullable=False),
)
