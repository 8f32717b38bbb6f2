"""Tracked stock of ordinary SKUs, and what each order holds of it.

A SKU with no `stock` row is not stock-limited. Each reservation row is the units
one order took of one SKU; `released` is set once, when they are given back.
"""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    false,
)

from dacu.adapters.tables.base import AwareDateTime, metadata

stock = Table(
    "stock",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("available", Integer, nullable=False),
    CheckConstraint("available >= 0", name="available_not_negative"),
)

stock_reservations = Table(
    "stock_reservations",
    metadata,
    Column("order_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("reserved_at", AwareDateTime(), nullable=False),
    Column("released", Boolean, nullable=False, server_default=false()),
    PrimaryKeyConstraint("order_id", "sku", name="pk_stock_reservations"),
)
