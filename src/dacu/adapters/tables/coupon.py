"""Coupon templates, claimed coupons, per-customer counts and activity codes."""

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from dacu.adapters.tables.base import AwareDateTime, metadata
from dacu.domain.coupons import CouponStatus

coupon_templates = Table(
    "coupon_templates",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("campaign_id", String(64), nullable=True, index=True),
    Column("name", String(200), nullable=False),
    Column("total_stock", Integer, nullable=False),
    Column("issued", Integer, nullable=False, server_default="0"),
    Column("per_user_limit", Integer, nullable=False),
    Column("rule", JSON, nullable=False),  # the template as its schema writes it
    Column("created_at", AwareDateTime(), nullable=False),
    CheckConstraint("issued >= 0 AND issued <= total_stock", name="issued_within_stock"),
)

coupon_holdings = Table(
    "coupon_holdings",
    metadata,
    Column("template_id", ForeignKey("coupon_templates.id"), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("claimed", Integer, nullable=False),
)

coupons = Table(
    "coupons",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("template_id", ForeignKey("coupon_templates.id"), nullable=False, index=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("request_id", String(128), nullable=False),
    Column("claimed_at", AwareDateTime(), nullable=False),
    Column("expires_at", AwareDateTime(), nullable=False),
    Column("status", String(16), nullable=False, server_default=CouponStatus.HELD.value),
    Column("redeemed_order_id", String(64), nullable=True),
    UniqueConstraint("template_id", "customer_id", "request_id", name="uq_coupons_claim"),
)

activity_codes = Table(
    "activity_codes",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("template_id", ForeignKey("coupon_templates.id"), nullable=False),
    Column("max_uses", Integer, nullable=False),
    Column("used", Integer, nullable=False, server_default="0"),
    Column("starts_at", AwareDateTime(), nullable=True),
    Column("ends_at", AwareDateTime(), nullable=True),
    CheckConstraint("used >= 0 AND used <= max_uses", name="used_within_max"),
)
