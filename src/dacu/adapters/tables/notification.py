"""What a customer is told in the app (消息中心)."""

from sqlalchemy import Column, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

# What a customer is told in the app (消息中心).
notifications = Table(
    "notifications",
    metadata,
    Column("id", String(200), primary_key=True),  # deterministic: telling twice is a no-op
    Column("user_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("message", String(500), nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
)
