"""Signing in by phone: each phone's one-time code (its digest only), the counts of codes
asked for per phone and per client address, and the outbox of text messages sent."""

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text

from dacu.adapters.tables.base import AwareDateTime, metadata

verification_codes = Table(
    "verification_codes",
    metadata,
    Column("phone", String(32), primary_key=True),  # E.164
    Column("code_hash", String(64), nullable=False),  # HMAC-SHA256 of phone and code
    Column("sent_at", AwareDateTime(), nullable=False),
    Column("expires_at", AwareDateTime(), nullable=False),
    Column("tries", Integer, nullable=False),
)

code_requests = Table(
    "code_requests",
    metadata,
    Column("rule", String(32), primary_key=True),  # the limit's name: phone_daily …
    Column("holder", String(64), primary_key=True),  # the phone or the address
    Column("window_no", BigInteger, primary_key=True),  # which fixed window
    Column("asked", Integer, nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("phone", String(32), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("sent_at", AwareDateTime(), nullable=False),
)
