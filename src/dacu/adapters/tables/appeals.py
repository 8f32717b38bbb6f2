"""Appeals (申诉中心), large-subsidy reviews and payouts of settlement statements."""

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

appeals = Table(
    "appeals",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("key", String(200), nullable=False, unique=True),  # "<shop>:<Idempotency-Key>"
    Column("statement_id", String(200), nullable=False),
    Column("line_no", Integer, nullable=False),
    # "<statement id>#<line no>" while open, NULL once decided: one open appeal per line
    Column("open_line", String(220), nullable=True, unique=True),
    Column("shop", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("line_amount", BigInteger, nullable=False),
    Column("claimed", BigInteger, nullable=False),
    Column("reason", String(1000), nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("filed_by", String(64), nullable=False),
    Column("filed_at", AwareDateTime(), nullable=False),
    Column("deadline", AwareDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # an AppealStatus
    Column("decided_by", String(64), nullable=False, server_default=""),
    Column("decided_at", AwareDateTime(), nullable=True),
    Column("accepted", BigInteger, nullable=False, server_default="0"),
    Column("report", String(4000), nullable=False, server_default=""),
    Index("ix_appeals_shop", "shop", "status"),
)

subsidy_reviews = Table(
    "subsidy_reviews",
    metadata,
    Column("id", String(220), primary_key=True),  # "<statement id>:line-<no>"
    Column("statement_id", String(200), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("shop", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("entry_key", String(200), nullable=False),
    Column("held_at", AwareDateTime(), nullable=False),
    Column("refs", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # a ReviewStatus
    Column("prepared_by", String(64), nullable=False, server_default=""),
    Column("prepared_at", AwareDateTime(), nullable=True),
    Column("note", String(2000), nullable=False, server_default=""),
    Column("decided_by", String(64), nullable=False, server_default=""),
    Column("decided_at", AwareDateTime(), nullable=True),
    Column("report", String(2000), nullable=False, server_default=""),
    Index("ix_subsidy_reviews_statement", "statement_id"),
    Index("ix_subsidy_reviews_status", "status"),
)

payouts = Table(
    "payouts",
    metadata,
    Column("key", String(220), primary_key=True),  # payout:<statement id>:<part>
    Column("statement_id", String(200), nullable=False),
    Column("part", String(16), nullable=False),
    Column("shop", String(64), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),  # fen
    Column("by", String(64), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Column("lines", JSON, nullable=False),  # the statement's line numbers it pays
    Column("file", String(255), nullable=False),  # the bank file's name
    Index("ix_payouts_statement", "statement_id"),
    Index("ix_payouts_shop", "shop"),
)
