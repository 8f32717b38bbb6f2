"""Activity codes (活动码) that claim a coupon template's coupon.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_codes",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column(
            "template_id", sa.String(64), sa.ForeignKey("coupon_templates.id"), nullable=False
        ),
        sa.Column("max_uses", sa.Integer, nullable=False),
        sa.Column("used", sa.Integer, nullable=False, server_default="0"),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "used >= 0 AND used <= max_uses", name="ck_activity_codes_used_within_max"
        ),
    )


def downgrade() -> None:
    op.drop_table("activity_codes")
