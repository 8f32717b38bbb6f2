"""Risk rules: the applied versions of the rules file, the blacklist, the change numbers
every process polls, the SQL sliding-window counters and the log of decisions."""

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

risk_rule_versions = Table(
    "risk_rule_versions",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("document", JSON, nullable=False),
    Column("by", String(64), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
)

risk_change_numbers = Table(  # "rules": the active version; "blacklist": bumped per change
    "risk_change_numbers",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

risk_blacklist = Table(
    "risk_blacklist",
    metadata,
    Column("kind", String(32), primary_key=True),  # a ListKind
    Column("value", String(200), primary_key=True),
    Column("reason", String(500), nullable=False),
    Column("by", String(64), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Column("expires_at", AwareDateTime(), nullable=True),
)

risk_counter_hits = Table(
    "risk_counter_hits",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("key", String(300), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Column("n", Integer, nullable=False),
    Index("ix_risk_counter_hits_key", "key", "at"),
)

risk_decisions = Table(
    "risk_decisions",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", AwareDateTime(), nullable=False),
    Column("action", String(32), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=True),
    Column("amount", BigInteger, nullable=False),
    Column("subject", String(200), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("score", Integer, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("identity", JSON, nullable=False),
    Column("context", JSON, nullable=False),
    Index("ix_risk_decisions_customer", "customer_id", "at"),
    Index("ix_risk_decisions_at", "at"),
)
