"""The relational schema, as SQLAlchemy Core tables (migrations in `migrations/`)."""

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class AwareDateTime(TypeDecorator[datetime]):
    """Times stored in UTC and read back aware, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("stored times must be aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

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
    Column("status", String(16), nullable=False, server_default="held"),
    Column("redeemed_order_id", String(64), nullable=True),
    UniqueConstraint("template_id", "customer_id", "request_id", name="uq_coupons_claim"),
)

# Kept for the ledger of every change (审计): who, when, before, after.
audit_log = Table(
    "audit_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", AwareDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
)

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

principals = Table(
    "principals",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the bearer token
    Column("subject", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("shops", JSON, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
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

orders = Table(
    "orders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("document", JSON, nullable=False),  # lines with every share, coupons: the locked quote
    Column("refunded", JSON, nullable=False),  # units given back, by SKU
    Column("version", Integer, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("pay_by", AwareDateTime(), nullable=False),
    UniqueConstraint("customer_id", "idempotency_key", name="uq_orders_idempotency"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    UniqueConstraint("order_id", "idempotency_key", name="uq_refunds_idempotency"),
)

# Who funds each fen: + when an order is paid, − when a refund claws it back.
ledger = Table(
    "ledger",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("order_id", ForeignKey("orders.id"), nullable=False, index=True),
    Column("refund_id", String(64), nullable=True),
    Column("rule_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False),
    Column("platform", BigInteger, nullable=False),
    Column("merchant", BigInteger, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
)

stock = Table(
    "stock",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("available", Integer, nullable=False),
    CheckConstraint("available >= 0", name="available_not_negative"),
)

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

flash_sales = Table(
    "flash_sales",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("title", String(200), nullable=False, server_default=""),
    Column("starts_at", AwareDateTime(), nullable=False),
    Column("ends_at", AwareDateTime(), nullable=False),
    Column("stock", Integer, nullable=False, server_default="0"),  # all ever put on sale
    Column("stock_left", Integer, nullable=False),  # the SQL gate's live count
    Column("limit_per_user", Integer, nullable=False),
    Column("price", BigInteger, nullable=False, server_default="0"),
    Column("safety_stock", Integer, nullable=False, server_default="0"),
    Column("pay_within_s", Integer, nullable=False, server_default="900"),
    Column("user_rate", Integer, nullable=False, server_default="5"),
    Column("ip_rate", Integer, nullable=False, server_default="200"),
    Column("restock_at", AwareDateTime(), nullable=True),
    CheckConstraint("stock_left >= 0", name="stock_left_not_negative"),
)

flash_counts = Table(
    "flash_counts",
    metadata,
    Column("sale_id", ForeignKey("flash_sales.id"), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("bought", Integer, nullable=False),
)

# The SQL gate's holds: state held, paid or released (as in the Redis gate).
flash_reservations = Table(
    "flash_reservations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("sale_id", ForeignKey("flash_sales.id"), nullable=False),
    Column("request_id", String(128), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Column("state", String(8), nullable=False, server_default="held"),
    UniqueConstraint("sale_id", "request_id", name="uq_flash_reservations_request"),
)

# Attempts per (sale, buyer or address, second), for the SQL gate's rate limits.
flash_rates = Table(
    "flash_rates",
    metadata,
    Column("sale_id", String(64), primary_key=True),
    Column("who", String(200), primary_key=True),
    Column("second", BigInteger, primary_key=True),
    Column("hits", Integer, nullable=False),
)

# Orders built from accepted attempts: one per attempt, never two.
# status: reserved -> paid, or reserved -> releasing -> released (unpaid in time).
flash_orders = Table(
    "flash_orders",
    metadata,
    Column("sale_id", String(64), primary_key=True),
    Column("request_id", String(128), primary_key=True),
    Column("entry", String(64), nullable=False),  # the gate's hold (a stream entry) it came from
    Column("user_id", String(64), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("accepted_at", AwareDateTime(), nullable=False),
    Column("status", String(16), nullable=False, server_default="reserved"),
    Column("paid_at", AwareDateTime(), nullable=True),
    Column("released_at", AwareDateTime(), nullable=True),
    Index("ix_flash_orders_status", "status", "accepted_at"),
)

# 缺货提醒: a buyer asked to be told when a sold-out sale has stock again.
flash_reminders = Table(
    "flash_reminders",
    metadata,
    Column("sale_id", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("subscribed_at", AwareDateTime(), nullable=False),
    Column("notified_at", AwareDateTime(), nullable=True),
)

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

# Alerts for operators. `open_key` is subject|kind while the alert stands and NULL
# once cleared, so a condition raises one alert however many workers notice it.
alerts = Table(
    "alerts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("subject", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("message", String(500), nullable=False),
    Column("raised_at", AwareDateTime(), nullable=False),
    Column("cleared_at", AwareDateTime(), nullable=True),
    Column("open_key", String(100), nullable=True, unique=True),
)
