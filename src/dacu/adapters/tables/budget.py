"""Campaign budgets as hard caps: what orders draw, and the reserve operators release."""

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text, UniqueConstraint

from dacu.adapters.tables.base import AwareDateTime, metadata

# One row per campaign budget drawn from: the serialization point of its cap.
budget_draws = Table(
    "budget_draws",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("drawn", BigInteger, nullable=False),  # by orders taken in, net of gives back
    Column("released", BigInteger, nullable=False),  # of the contingency reserve
)

# Every release of contingency reserve, by whom and why (the audit log has it too).
budget_releases = Table(
    "budget_releases",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("campaign_id", String(64), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    UniqueConstraint("campaign_id", "idempotency_key", name="uq_budget_releases_key"),
)
