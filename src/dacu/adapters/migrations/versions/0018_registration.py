"""Registration by phone: one-time codes (digests only), the counts that limit asking for
them, and the outbox of text messages.

Revision ID: 0018_registration
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_registration"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_codes",
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("phone", name="pk_verification_codes"),
    )
    op.create_table(
        "code_requests",
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("window_no", sa.BigInteger, nullable=False),
        sa.Column("asked", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("rule", "holder", "window_no", name="pk_code_requests"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_messages_phone", "messages", ["phone"])


def downgrade() -> None:
    op.drop_index("ix_messages_phone", "messages")
    op.drop_table("messages")
    op.drop_table("code_requests")
    op.drop_table("verification_codes")
