"""Risk rules: versions of the rules file, the blacklist, change numbers, SQL counters and
the log of decisions.

Revision ID: 0041_risk_rules
Revises: 0039
"""

import sqlalchemy as sa
from alembic import op

revision = "0041_risk_rules"
down_revision = "0039"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "risk_rule_versions",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", _AT, nullable=False),
    )
    op.create_table(
        "risk_change_numbers",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "risk_blacklist",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("expires_at", _AT, nullable=True),
    )
    op.create_table(
        "risk_counter_hits",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index("ix_risk_counter_hits_key", "risk_counter_hits", ["key", "at"])
    op.create_table(
        "risk_decisions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", _AT, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("identity", sa.JSON, nullable=False),
        sa.Column("context", sa.JSON, nullable=False),
    )
    op.create_index("ix_risk_decisions_customer", "risk_decisions", ["customer_id", "at"])
    op.create_index("ix_risk_decisions_at", "risk_decisions", ["at"])


def downgrade() -> None:
    op.drop_table("risk_decisions")
    op.drop_table("risk_counter_hits")
    op.drop_table("risk_blacklist")
    op.drop_table("risk_change_numbers")
    op.drop_table("risk_rule_versions")
