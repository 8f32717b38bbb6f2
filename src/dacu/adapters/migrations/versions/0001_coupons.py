"""Coupon templates, holdings, coupons and the audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coupon_templates",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=True, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("total_stock", sa.Integer, nullable=False),
        sa.Column("issued", sa.Integer, nullable=False, server_default="0"),
        sa.Column("per_user_limit", sa.Integer, nullable=False),
        sa.Column("rule", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "issued >= 0 AND issued <= total_stock",
            name="ck_coupon_templates_issued_within_stock",
        ),
    )
    op.create_table(
        "coupon_holdings",
        sa.Column("template_id", sa.String(64), sa.ForeignKey("coupon_templates.id")),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("claimed", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("template_id", "customer_id", name="pk_coupon_holdings"),
    )
    op.create_table(
        "coupons",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "template_id", sa.String(64), sa.ForeignKey("coupon_templates.id"), nullable=False
        ),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="held"),
        sa.Column("redeemed_order_id", sa.String(64), nullable=True),
        sa.UniqueConstraint("template_id", "customer_id", "request_id", name="uq_coupons_claim"),
    )
    op.create_index("ix_coupons_template_id", "coupons", ["template_id"])
    op.create_index("ix_coupons_customer_id", "coupons", ["customer_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_index("ix_coupons_customer_id", "coupons")
    op.drop_index("ix_coupons_template_id", "coupons")
    op.drop_table("coupons")
    op.drop_table("coupon_holdings")
    op.drop_table("coupon_templates")
