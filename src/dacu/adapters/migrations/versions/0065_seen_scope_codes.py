"""`kpi_seen` keys its scopes by small integer codes (`dacu.adapters.kpi_scopes`).

`uv`, `payers`, `uv_hour:2026110813`… become 1, 5, HOURS + hours since 1970: a key
of four bytes instead of up to nineteen, compared as a number. On PostgreSQL the
campaign and customer ids are compared byte-wise (COLLATE "C"). The table is built
anew beside the old one and its rows copied over, each scope translated through a
small table of the scopes found; downgrading translates them back.

Revision ID: 0065
Revises: 0064
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from dacu.adapters.kpi_scopes import code_of, scope_of

revision = "0065"
down_revision = "0064"
branch_labels = None
depends_on = None

_MOVE = """
INSERT INTO kpi_seen_new (campaign_id, scope, customer_id, at, channel, segment)
SELECT o.campaign_id, t.to_scope, o.customer_id, o.at, o.channel, o.segment
FROM kpi_seen AS o JOIN kpi_seen_scopes AS t ON t.from_scope = o.scope
ORDER BY 1, 2, 3"""


def upgrade() -> None:
    bytewise = "C" if op.get_bind().dialect.name == "postgresql" else None
    _rebuild(sa.Integer(), sa.String(32), code_of, bytewise)


def downgrade() -> None:
    _rebuild(sa.String(32), sa.Integer(), scope_of, None)


def _rebuild(
    to_type: sa.types.TypeEngine[Any],
    from_type: sa.types.TypeEngine[Any],
    translate: Callable[..., object],
    collation: str | None,
) -> None:
    """`kpi_seen` built again with scopes of `to_type`, every row kept."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    key = "pk_kpi_seen_new" if postgres else "pk_kpi_seen"  # PostgreSQL: renamed after
    op.create_table(
        "kpi_seen_new",
        sa.Column("campaign_id", sa.String(64, collation=collation)),
        sa.Column("scope", to_type),
        sa.Column("customer_id", sa.String(64, collation=collation)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("segment", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "scope", "customer_id", name=key),
    )
    found = [row[0] for row in bind.execute(sa.text("SELECT DISTINCT scope FROM kpi_seen"))]
    scopes = op.create_table(
        "kpi_seen_scopes",
        sa.Column("from_scope", from_type, primary_key=True),
        sa.Column("to_scope", to_type, nullable=False),
    )
    op.bulk_insert(scopes, [{"from_scope": s, "to_scope": translate(s)} for s in found])
    op.execute(_MOVE)
    op.drop_table("kpi_seen_scopes")
    op.drop_table("kpi_seen")
    op.rename_table("kpi_seen_new", "kpi_seen")
    if postgres:
        op.execute("ALTER INDEX pk_kpi_seen_new RENAME TO pk_kpi_seen")
