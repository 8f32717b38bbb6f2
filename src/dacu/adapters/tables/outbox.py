"""The server's facts waiting for (or past) delivery to the KPI rollups."""

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

event_outbox = Table(
    "event_outbox",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("key", String(200), nullable=False, unique=True),  # one row per deed
    Column("kind", String(16), nullable=False),
    Column("fact", JSON, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),  # when the deed happened
    Column("leased_until", AwareDateTime(), nullable=True),  # a worker is delivering it
    Column("delivered_at", AwareDateTime(), nullable=True),
    Index("ix_event_outbox_pending", "delivered_at", "id"),
)
