"""The lottery 摇摇欲坠: chances granted and used, each grant once per key, the prizes
given per prize, and the draws (the system of record: Redis figures are rebuilt from it)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
    true,
)

from dacu.adapters.tables.base import AwareDateTime, metadata

lottery_chances = Table(
    "lottery_chances",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("granted", Integer, nullable=False),
    Column("used", Integer, nullable=False),
    CheckConstraint("used >= 0 AND used <= granted", name="ck_lottery_chances_used"),
)

lottery_grants = Table(
    "lottery_grants",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("key", String(128), primary_key=True),  # "first_visit", "daily_login:2026-09-03" …
    Column("reason", String(32), nullable=False),
    Column("chances", Integer, nullable=False),
    Column("at", AwareDateTime(), nullable=False),
)

lottery_given = Table(
    "lottery_given",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("prize_id", String(64), primary_key=True),
    Column("given", BigInteger, nullable=False),  # never above the prize's stock
)

lottery_draws = Table(
    "lottery_draws",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("campaign_id", String(64), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("key", String(128), nullable=False),  # the Idempotency-Key
    Column("prize_id", String(64), nullable=False),
    Column("value", BigInteger, nullable=False),  # fen drawn from the budget line
    Column("roll", BigInteger, nullable=False),  # the server's random number, for audits
    Column("status", String(32), nullable=False),  # drawn, given, pending, held, nothing …
    Column("reference", String(128), nullable=False, server_default=""),
    Column("at", AwareDateTime(), nullable=False),
    # false until the draw is folded into `lottery_given` and the budget line (Redis
    # draws: `adapters/lottery_fold.py`), in the transaction that adds it there
    Column("counted", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("campaign_id", "customer_id", "key", name="uq_lottery_draws_key"),
    Index("ix_lottery_draws_customer", "campaign_id", "customer_id", "at"),
    Index("ix_lottery_draws_prize", "campaign_id", "prize_id"),
    Index(
        "ix_lottery_draws_uncounted",
        "campaign_id",
        postgresql_where=text("NOT counted"),
        sqlite_where=text("counted = 0"),
    ),
)
