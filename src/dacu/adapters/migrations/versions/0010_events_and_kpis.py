"""Events, their hourly rollups, distinct-people bookkeeping, and the case library.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COUNTERS = [
    "events",
    "pv",
    "sku_views",
    "carts",
    "orders",
    "ordered",
    "payments",
    "gmv",
    "refunds",
    "refunded",
    "coupon_claims",
    "coupon_uses",
    "registrations",
    "logins",
    "shares",
    "errors",
    "platform_spend",
    "merchant_spend",
    "uv",
    "uv_hour",
    "active",
    "carters",
    "orderers",
    "payers",
    "claimers",
    "new_users",
    "repeat_buyers",
]


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, nullable=False, server_default="0")


_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    _events()
    _rollups()
    _cases()


def _events() -> None:
    when = _WHEN
    op.create_table(
        "events",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("segment", sa.String(16), nullable=False),
        sa.Column("at", when, nullable=False),
        sa.Column("sku", sa.String(64), nullable=True),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("coupon", sa.String(64), nullable=True),
        _money("amount"),
        _money("platform_funded"),
        _money("merchant_funded"),
        sa.Column("lines", sa.JSON, nullable=True),
        sa.Column("received_at", when, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_campaign_at", "events", ["campaign_id", "at"])


def _rollups() -> None:
    when = _WHEN
    op.create_table(
        "kpi_hourly",
        sa.Column("campaign_id", sa.String(64)),
        sa.Column("hour", when),
        sa.Column("channel", sa.String(16)),
        sa.Column("segment", sa.String(16)),
        *(_money(name) for name in _COUNTERS),
        sa.PrimaryKeyConstraint("campaign_id", "hour", "channel", "segment", name="pk_kpi_hourly"),
    )
    op.create_table(
        "kpi_skus",
        sa.Column("campaign_id", sa.String(64)),
        sa.Column("sku", sa.String(64)),
        *(_money(name) for name in ("views", "carts", "units", "gmv")),
        sa.PrimaryKeyConstraint("campaign_id", "sku", name="pk_kpi_skus"),
    )
    op.create_index("ix_kpi_skus_gmv", "kpi_skus", ["campaign_id", "gmv"])
    op.create_table(
        "kpi_seen",
        sa.Column("campaign_id", sa.String(64)),
        sa.Column("scope", sa.String(32)),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("at", when, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("segment", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "scope", "customer_id", name="pk_kpi_seen"),
    )
    op.create_table(
        "kpi_buyers",
        sa.Column("campaign_id", sa.String(64)),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("payments", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "customer_id", name="pk_kpi_buyers"),
    )


def _cases() -> None:
    when = _WHEN
    op.create_table(
        "cases",
        sa.Column("campaign_id", sa.String(64)),
        sa.Column("theme", sa.String(200), nullable=False),
        sa.Column("starts_at", when, nullable=False),
        sa.Column("ends_at", when, nullable=False),
        sa.Column("archived_at", when, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("highlights", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name="pk_cases"),
    )


def downgrade() -> None:
    for table in ("cases", "kpi_buyers", "kpi_seen", "kpi_skus", "kpi_hourly", "events"):
        op.drop_table(table)
