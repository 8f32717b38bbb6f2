"""Shops, their SKUs, and the catalog's revision (one number that moves on every change)."""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

shops = Table(
    "shops",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("merchant", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
)

skus = Table(
    "skus",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("shop", String(64), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("list_price", BigInteger, nullable=False),
    Column("cost_price", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("size_class", String(32), nullable=False, server_default=""),  # 物流补贴's class
    Column("revision", BigInteger, nullable=False),
    Column("updated_at", AwareDateTime(), nullable=False),
    Index("ix_skus_revision", "revision"),
)

goods_revision = Table(
    "goods_revision",
    metadata,
    Column("id", Integer, primary_key=True),  # one row, id 1
    Column("revision", BigInteger, nullable=False),
)
