"""Who may call the API (bearer token digests) and the audit log of every change."""

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

# Kept for the ledger of every change (审计): who, when, before, after.
audit_log = Table(
    "audit_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", AwareDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
)

principals = Table(
    "principals",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the bearer token
    Column("subject", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("shops", JSON, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
)
