"""Flash sales around the gate: prices, pay-by times, rate limits, safety stock,
holds' states, orders' states, restock reminders, notifications and alerts.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_SALE_COLUMNS: list[sa.Column[object]] = [
    sa.Column("title", sa.String(200), nullable=False, server_default=""),
    sa.Column("stock", sa.Integer, nullable=False, server_default="0"),
    sa.Column("price", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("safety_stock", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pay_within_s", sa.Integer, nullable=False, server_default="900"),
    sa.Column("user_rate", sa.Integer, nullable=False, server_default="5"),
    sa.Column("ip_rate", sa.Integer, nullable=False, server_default="200"),
    sa.Column("restock_at", sa.DateTime(timezone=True), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("flash_sales") as batch:
        for column in _SALE_COLUMNS:
            batch.add_column(column)
    op.execute("UPDATE flash_sales SET stock = stock_left")
    with op.batch_alter_table("flash_reservations") as batch:
        batch.add_column(sa.Column("state", sa.String(8), nullable=False, server_default="held"))
    with op.batch_alter_table("flash_orders") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="reserved")
        )
        batch.add_column(sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_flash_orders_status", "flash_orders", ["status", "accepted_at"])
    op.create_table(
        "flash_rates",
        sa.Column("sale_id", sa.String(64)),
        sa.Column("who", sa.String(200)),
        sa.Column("second", sa.BigInteger),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("sale_id", "who", "second", name="pk_flash_rates"),
    )
    op.create_table(
        "flash_reminders",
        sa.Column("sale_id", sa.String(64)),
        sa.Column("user_id", sa.String(64)),
        sa.Column("subscribed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("sale_id", "user_id", name="pk_flash_reminders"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(200)),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    op.create_index("ix_notifications_user_id", "notifications", ["user_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), autoincrement=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_key", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("open_key", name="uq_alerts_open_key"),
    )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_index("ix_notifications_user_id", "notifications")
    op.drop_table("notifications")
    op.drop_table("flash_reminders")
    op.drop_table("flash_rates")
    op.drop_index("ix_flash_orders_status", "flash_orders")
    with op.batch_alter_table("flash_orders") as batch:
        for name in ("released_at", "paid_at", "status"):
            batch.drop_column(name)
    with op.batch_alter_table("flash_reservations") as batch:
        batch.drop_column("state")
    with op.batch_alter_table("flash_sales") as batch:
        for column in reversed(_SALE_COLUMNS):
            batch.drop_column(column.name)
