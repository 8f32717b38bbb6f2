"""Tokens that expire and can be revoked; the console's own server-side sessions.

Revision ID: 0013_access
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_access"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("principals", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("principals", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "console_sessions",
        sa.Column("session_hash", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("shops", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("session_hash", name="pk_console_sessions"),
    )
    op.create_index("ix_console_sessions_token_hash", "console_sessions", ["token_hash"])


def downgrade() -> None:
    op.drop_index("ix_console_sessions_token_hash", "console_sessions")
    op.drop_table("console_sessions")
    with op.batch_alter_table("principals") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
