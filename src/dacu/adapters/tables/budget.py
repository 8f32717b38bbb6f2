"""Campaign budgets as hard caps: what orders draw, and the reserve operators release."""

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text, UniqueConstraint

from dacu.adapters.tables.base import AwareDateTime, metadata

# One row per campaign budget drawn from: the serialization point of its cap.
budget_draws = Table(
    "budget_draws",
    metadata,
    Column("campaign_id", String(200), primary_key=True),  # a campaign, or a line of it
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

# Releases of the reserve as asked and decided (应急资金: requested → approved / rejected);
# an approved one opens the reserve under the key `request:<id>` of `budget_releases`.
budget_release_requests = Table(
    "budget_release_requests",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("campaign_id", String(64), nullable=False, index=True),
    Column("idempotency_key", String(128), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", AwareDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # requested, approved, rejected
    Column("decided_by", String(128), nullable=True),
    Column("decided_at", AwareDateTime(), nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    UniqueConstraint("campaign_id", "idempotency_key", name="uq_budget_release_requests_key"),
)
