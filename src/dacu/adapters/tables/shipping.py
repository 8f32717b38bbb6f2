"""Shipments and the merchant charges operators record: ad spend (its rebate) and
penalties. Each posts to the ledger in the transaction that writes its row."""

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("merchant", String(64), nullable=False),  # who recorded it
    Column("idempotency_key", String(128), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False),
    Column("carrier", String(64), nullable=False),
    Column("waybill", String(64), nullable=False),
    Column("size_classes", JSON, nullable=False),
    Column("paid_at", AwareDateTime(), nullable=False),
    Column("shipped_at", AwareDateTime(), nullable=False),
    Column("promise_hours", Integer, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("campaign_id", String(64), nullable=False, server_default=""),
    Column("status", String(16), nullable=False),  # a ShipmentStatus
    Column("delivered_at", AwareDateTime(), nullable=True),
    Column("subsidy", BigInteger, nullable=False, server_default="0"),
    Index("uq_shipments_idempotency", "merchant", "idempotency_key", unique=True),
    Index("uq_shipments_order_shop", "order_id", "shop", unique=True),  # one per shop's lines
    Index("ix_shipments_shop", "shop", "shipped_at"),
)

ad_spends = Table(
    "ad_spends",
    metadata,
    Column("key", String(200), primary_key=True),  # ad_rebate:<campaign>:<shop>:<reference>
    Column("campaign_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("spend", BigInteger, nullable=False),
    Column("rebate", BigInteger, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Index("ix_ad_spends_campaign_shop", "campaign_id", "shop", "at"),
)

# What each shop has earned of the campaign's ad-rebate cap: the row the records of one
# shop take turns on (a conditional counter).
ad_rebate_totals = Table(
    "ad_rebate_totals",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("shop", String(64), primary_key=True),
    Column("earned", BigInteger, nullable=False),
)

penalties = Table(
    "penalties",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("actor", String(64), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False),
    Column("kind", String(24), nullable=False),  # a PenaltyKind
    Column("amount", BigInteger, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("evidence", String(4000), nullable=False),
    Column("status", String(16), nullable=False),  # a PenaltyStatus
    Column("at", AwareDateTime(), nullable=False),
    Column("withdrawn_by", String(64), nullable=False, server_default=""),
    Column("withdrawn_at", AwareDateTime(), nullable=True),
    Column("withdraw_reason", String(500), nullable=False, server_default=""),
    Index("uq_penalties_idempotency", "actor", "idempotency_key", unique=True),
    Index("ix_penalties_campaign_shop", "campaign_id", "shop", "at"),
)
