"""The risk review queue (风控审核)."""

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, false

from dacu.adapters.tables.base import AwareDateTime, metadata

risk_reviews = Table(
    "risk_reviews",
    metadata,
    Column("id", String(260), primary_key=True),  # "<kind>:<key>": queued once per subject
    Column("kind", String(24), nullable=False),  # a ReviewKind
    Column("key", String(200), nullable=False),
    # "block:<customer>" while a block appeal is open, NULL otherwise: one open per customer
    Column("open_key", String(260), nullable=True, unique=True),
    Column("customer_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False, server_default=""),
    Column("campaign_id", String(64), nullable=False, server_default=""),
    Column("amount", BigInteger, nullable=False, server_default="0"),  # fen
    Column("reason", String(64), nullable=False, server_default=""),
    Column("score", Integer, nullable=False, server_default="0"),
    Column("rules", JSON, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # a ReviewStatus
    Column("appeal", Boolean, nullable=False, server_default=false()),
    Column("appeal_by", String(64), nullable=False, server_default=""),
    Column("appeal_reason", String(1000), nullable=False, server_default=""),
    Column("appealed_at", AwareDateTime(), nullable=True),
    Column("decision", String(24), nullable=True),  # a Decision
    Column("decided_by", String(64), nullable=False, server_default=""),
    Column("decided_at", AwareDateTime(), nullable=True),
    Column("note", String(1000), nullable=False, server_default=""),
    Column("blacklisted", JSON, nullable=False),
    Index("ix_risk_reviews_queue", "status", "created_at"),
    Index("ix_risk_reviews_appeals", "appeal_by", "appealed_at"),
    Index("ix_risk_reviews_customer", "customer_id"),
)
