"""Settlement statements (`domain/settlement.py`): each shop's statements of a campaign,
their lines (one per settled ledger posting, never two), and the runs that issued them."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from dacu.adapters.tables.base import AwareDateTime, metadata

# A settlement run, claimed once per key (the Idempotency-Key); the statements it issued
# carry its key, so a retry answers with the same statements.
settlement_runs = Table(
    "settlement_runs",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("campaign_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False, server_default=""),  # "" for every shop
    Column("by", String(64), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
)

statements = Table(
    "statements",
    metadata,
    Column("id", String(200), primary_key=True),  # "<campaign>:<shop>:<seq>"
    Column("campaign_id", String(64), nullable=False),
    Column("shop", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("issued_at", AwareDateTime(), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("total", BigInteger, nullable=False),  # fen owed to the shop (negative: it owes)
    Column("status", String(16), nullable=False),  # a StatementStatus
    Column("prepared_by", String(64), nullable=False),
    Column("run_key", String(200), nullable=False),
    Column("lines", Integer, nullable=False),  # how many lines
    UniqueConstraint("campaign_id", "shop", "seq", name="uq_statements_seq"),
    Index("ix_statements_run", "run_key"),
)

statement_lines = Table(
    "statement_lines",
    metadata,
    Column("statement_id", ForeignKey("statements.id"), primary_key=True),
    Column("no", Integer, primary_key=True),
    # the settled posting: on one statement only, whatever runs race
    Column(
        "posting_id",
        ForeignKey("journal_postings.id"),
        nullable=False,
        unique=True,
    ),
    Column("kind", String(24), nullable=False),  # a MerchantAccount (due kind)
    Column("entry_key", String(200), nullable=False),
    Column("amount", BigInteger, nullable=False),  # fen: + owed to the shop, − taken
    Column("at", AwareDateTime(), nullable=False),
    Column("refs", JSON, nullable=False),
)
