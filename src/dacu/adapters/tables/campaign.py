"""Campaigns: the applied document, its status, kills and version."""

from sqlalchemy import JSON, Column, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("theme", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("document", JSON, nullable=False),  # as applied, the source of truth for export
    Column("killed", JSON, nullable=False),  # ids of promotions switched off
    Column("version", Integer, nullable=False),
    Column("updated_at", AwareDateTime(), nullable=False),
)
