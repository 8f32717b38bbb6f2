"""Identity links: what each account was seen with, the identifiers accounts share,
and the union-find of clusters.

Revision ID: 0040_risk_links
Revises: 0039
"""

import sqlalchemy as sa
from alembic import op

revision = "0040_risk_links"
down_revision = "0039"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_links",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("first_seen", _AT, nullable=False),
        sa.Column("last_seen", _AT, nullable=False),
        sa.Column("times", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_risk_links_customer_id", "risk_links", ["customer_id"])
    op.create_table(
        "risk_values",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(64), primary_key=True),
        sa.Column("anchor", sa.String(64), nullable=False),
        sa.Column("accounts", sa.BigInteger, nullable=False),
        sa.Column("first_seen", _AT, nullable=False),
    )
    op.create_table(
        "risk_nodes",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("parent", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("first_seen", _AT, nullable=False),
    )
    op.create_index("ix_risk_nodes_parent", "risk_nodes", ["parent"])


def downgrade() -> None:
    op.drop_index("ix_risk_nodes_parent", "risk_nodes")
    op.drop_table("risk_nodes")
    op.drop_table("risk_values")
    op.drop_index("ix_risk_links_customer_id", "risk_links")
    op.drop_table("risk_links")
