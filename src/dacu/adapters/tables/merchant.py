"""Merchant profiles and their enrollments in campaigns."""

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table, UniqueConstraint

from dacu.adapters.tables.base import AwareDateTime, metadata

merchants = Table(
    "merchants",
    metadata,
    Column("shop", String(64), primary_key=True),
    Column("verified", Integer, nullable=False),
    Column("rating_bp", Integer, nullable=False),
    Column("last_serious_violation", AwareDateTime(), nullable=True),
    Column("categories", JSON, nullable=False),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("campaign_id", String(64), nullable=False, index=True),
    Column("shop", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("list_price", BigInteger, nullable=False),
    Column("campaign_price", BigInteger, nullable=False),
    Column("committed_stock", Integer, nullable=False),
    Column("review", String(16), nullable=False),
    Column("note", String(500), nullable=False),
    UniqueConstraint("campaign_id", "sku", name="uq_enrollments_sku"),
)
