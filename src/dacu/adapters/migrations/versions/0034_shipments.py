"""Shipments, ad spend with its rebate counter, penalties; a SKU's size class.

Revision ID: 0034_shipments
Revises: 0032_journal
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_shipments"
down_revision = "0032_journal"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("skus") as batch:
        batch.add_column(sa.Column("size_class", sa.String(32), nullable=False, server_default=""))
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("merchant", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("carrier", sa.String(64), nullable=False),
        sa.Column("waybill", sa.String(64), nullable=False),
        sa.Column("size_classes", sa.JSON, nullable=False),
        sa.Column("paid_at", _WHEN, nullable=False),
        sa.Column("shipped_at", _WHEN, nullable=False),
        sa.Column("promise_hours", sa.Integer, nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("delivered_at", _WHEN, nullable=True),
        sa.Column("subsidy", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index(
        "uq_shipments_idempotency", "shipments", ["merchant", "idempotency_key"], unique=True
    )
    op.create_index("uq_shipments_order_shop", "shipments", ["order_id", "shop"], unique=True)
    op.create_index("ix_shipments_shop", "shipments", ["shop", "shipped_at"])
    _charges()


def _charges() -> None:
    op.create_table(
        "ad_spends",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("spend", sa.BigInteger, nullable=False),
        sa.Column("rebate", sa.BigInteger, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
    )
    op.create_index("ix_ad_spends_campaign_shop", "ad_spends", ["campaign_id", "shop", "at"])
    op.create_table(
        "ad_rebate_totals",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("shop", sa.String(64), primary_key=True),
        sa.Column("earned", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "penalties",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("shop", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("evidence", sa.String(4000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("withdrawn_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("withdrawn_at", _WHEN, nullable=True),
        sa.Column("withdraw_reason", sa.String(500), nullable=False, server_default=""),
    )
    op.create_index(
        "uq_penalties_idempotency", "penalties", ["actor", "idempotency_key"], unique=True
    )
    op.create_index("ix_penalties_campaign_shop", "penalties", ["campaign_id", "shop", "at"])


def downgrade() -> None:
    for table in ("penalties", "ad_rebate_totals", "ad_spends", "shipments"):
        op.drop_table(table)
    with op.batch_alter_table("skus") as batch:
        batch.drop_column("size_class")
