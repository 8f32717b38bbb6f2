"""Customers as the server knows them: phone, whether it was verified, member tier."""

from sqlalchemy import BigInteger, Boolean, Column, String, Table, false

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

customer_units = Table(
    "customer_units",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("units", BigInteger, nullable=False),
)
"""Units of each SKU in a customer's orders not cancelled: kept with every order written
and every order cancelled, so 每人限购 and 新人首单 read a few rows, not every order."""
