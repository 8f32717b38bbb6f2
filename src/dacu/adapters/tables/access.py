"""Who may call the API (bearer token digests), console sessions, and the audit log."""

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
    Column("expires_at", AwareDateTime(), nullable=True),  # NULL: issued before tokens expired
    Column("revoked_at", AwareDateTime(), nullable=True),
)

# The console's own sign-ins: a random session id in an HttpOnly cookie, stored only as a
# digest, ended by logout, by its time, or by revoking the token it was opened with.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),  # sha256 of the session id
    Column("token_hash", String(64), nullable=False, index=True),
    Column("subject", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("shops", JSON, nullable=False),
    Column("created_at", AwareDateTime(), nullable=False),
    Column("expires_at", AwareDateTime(), nullable=False),
    Column("revoked_at", AwareDateTime(), nullable=True),
)
