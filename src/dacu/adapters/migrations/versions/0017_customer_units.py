"""Units of each SKU in each customer's orders not cancelled, counted from the orders so far.

Revision ID: 0017
Revises: 0016
"""

import json
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    units_table = op.create_table(
        "customer_units",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("units", sa.BigInteger, nullable=False),
    )
    counted: Counter[tuple[str, str]] = Counter()
    rows = op.get_bind().execute(
        sa.text("SELECT customer_id, document FROM orders WHERE status <> 'cancelled'")
    )
    for customer_id, document in rows:
        lines = (json.loads(document) if isinstance(document, str) else document)["lines"]
        for line in lines:
            counted[(customer_id, line["sku"])] += int(line["qty"])
    if counted:
        op.bulk_insert(
            units_table,
            [{"customer_id": c, "sku": s, "units": n} for (c, s), n in counted.items()],
        )


def downgrade() -> None:
    op.drop_table("customer_units")
