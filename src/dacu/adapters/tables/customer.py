"""Customers as the server knows them: phone, whether it was verified, member tier."""

from sqlalchemy import Boolean, Column, String, Table, false

from dacu.adapters.tables.base import AwareDateTime, metadata

customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("phone", String(32), nullable=True, unique=True),
    Column("phone_verified", Boolean, nullable=False, server_default=false()),
    Column("member_tier", String(64), nullable=True),
    Column("registered_at", AwareDateTime(), nullable=False),
)
