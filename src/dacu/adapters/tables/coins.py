"""The coin ledger (智慧币): every entry with its reason, and one balance row per customer."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
)

from dacu.adapters.tables.base import AwareDateTime, metadata

coin_entries = Table(
    "coin_entries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("customer_id", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=True),
    Column("coins", BigInteger, nullable=False),  # + earned, − spent or taken back
    Column("reason", String(32), nullable=False),
    Column("key", String(200), nullable=False, unique=True),  # one entry per deed
    Column("at", AwareDateTime(), nullable=False),
    Index("ix_coin_entries_customer", "customer_id", "id"),
)

coin_balances = Table(
    "coin_balances",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("debt", BigInteger, nullable=False),  # what refunds could not take back
    CheckConstraint("balance >= 0", name="ck_coin_balances_balance"),
    CheckConstraint("debt >= 0", name="ck_coin_balances_debt"),
)
