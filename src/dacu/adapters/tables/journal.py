"""The double-entry ledger (`domain/ledger.py`): entries, once per key, and their
postings, which sum to zero per entry."""

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

journal_entries = Table(
    "journal_entries",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("key", String(200), nullable=False, unique=True),  # the natural key: posted once
    Column("kind", String(24), nullable=False),  # an EntryKind
    Column("at", AwareDateTime(), nullable=False),
    Column("refs", JSON, nullable=False),  # order_id, refund_id, shop, rule_id, …
    Column("memo", String(500), nullable=False, server_default=""),
)

journal_postings = Table(
    "journal_postings",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("entry_id", ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("account", String(200), nullable=False),
    Column("campaign_id", String(64), nullable=False, server_default=""),
    Column("amount", BigInteger, nullable=False),  # fen: + debit, − credit
    Column("at", AwareDateTime(), nullable=False),  # the entry's, for reads by time
    Index("ix_journal_postings_account", "account", "campaign_id"),
    Index("ix_journal_postings_campaign", "campaign_id", "account"),
)
