"""Payments through providers' signed callbacks, their refunds, and the backup channel.

Revision ID: 0013_payments
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_payments"
down_revision = "0012"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    _payments()
    _channels()


def _payments() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.String(64)),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=True),
        sa.Column("refunded", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("paid_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.UniqueConstraint("channel", "transaction_id", name="uq_payments_transaction"),
    )
    op.create_index("ix_payments_order_id", "payments", ["order_id"])
    op.create_table(
        "payment_callbacks",
        sa.Column("id", _SERIAL, autoincrement=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.Column("sent_at", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("seen_key", sa.String(200), nullable=True),
        sa.Column("payment_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payment_callbacks"),
        sa.UniqueConstraint("seen_key", name="uq_payment_callbacks_seen_key"),
    )
    op.create_index("ix_payment_callbacks_payment_id", "payment_callbacks", ["payment_id"])
    op.create_table(
        "payment_refunds",
        sa.Column("id", sa.String(64)),
        sa.Column("payment_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider_ref", sa.String(64), nullable=True),
        sa.Column("requested_at", _WHEN, nullable=False),
        sa.Column("done_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payment_refunds"),
        sa.UniqueConstraint("payment_id", "idempotency_key", name="uq_payment_refunds_idempotency"),
    )


def _channels() -> None:
    op.create_table(
        "payment_channel_errors",
        sa.Column("channel", sa.String(32)),
        sa.Column("slot", sa.BigInteger),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("channel", "slot", name="pk_payment_channel_errors"),
    )
    op.create_table(
        "payment_routing",
        sa.Column("id", sa.Integer, autoincrement=False),
        sa.Column("active", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("switched_at", _WHEN, nullable=False),
        sa.Column("switched_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_routing"),
    )


def downgrade() -> None:
    op.drop_table("payment_routing")
    op.drop_table("payment_channel_errors")
    op.drop_table("payment_refunds")
    op.drop_index("ix_payment_callbacks_payment_id", "payment_callbacks")
    op.drop_table("payment_callbacks")
    op.drop_index("ix_payments_order_id", "payments")
    op.drop_table("payments")
