"""Flash sales: stock counts, the SQL gate's holds and rates, orders, 缺货提醒."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from dacu.adapters.tables.base import AwareDateTime, metadata
from dacu.domain.flashsale import RESERVED, HoldState

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
    # The campaign it belongs to ('' only for sales recorded before sales named one:
    # such a sale is never open), and the platform's part of the flash cut.
    Column("campaign_id", String(64), nullable=False, server_default=""),
    Column("platform_bp", Integer, nullable=False, server_default="0"),
    Column("promotion_id", String(64), nullable=False, server_default=""),  # '': none
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
    Column("state", String(8), nullable=False, server_default=HoldState.HELD.value),
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
    Column("status", String(16), nullable=False, server_default=RESERVED),
    Column("paid_at", AwareDateTime(), nullable=True),
    Column("released_at", AwareDateTime(), nullable=True),
    Column("order_id", String(64), nullable=True),  # the full order, once its buyer went to pay
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
