"""Campaigns: the applied document, its status, kills and version.

`revision` moves on every change that can move a price (apply, status, kill, an
enrollment's review), so a pricing process needs only the live campaigns' ids
and revisions to know whether its catalog still stands; `compiled` is the
campaign's domain objects as `adapters/campaign_codec.py` writes them.
"""

from sqlalchemy import JSON, Column, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("theme", String(200), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("document", JSON, nullable=False),  # as applied, the source of truth for export
    Column("killed", JSON, nullable=False),  # ids of promotions switched off
    Column("version", Integer, nullable=False),  # of the document: one per apply
    Column("revision", Integer, nullable=False, server_default="1"),
    Column("compiled", JSON, nullable=True),  # NULL: compile again from the document
    Column("updated_at", AwareDateTime(), nullable=False),
)
