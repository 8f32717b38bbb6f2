"""Alerts for operators."""

from sqlalchemy import BigInteger, Column, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

# Alerts for operators. `open_key` is subject|kind while the alert stands and NULL
# once cleared, so a condition raises one alert however many workers notice it.
alerts = Table(
    "alerts",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("subject", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("message", String(500), nullable=False),
    Column("raised_at", AwareDateTime(), nullable=False),
    Column("cleared_at", AwareDateTime(), nullable=True),
    Column("open_key", String(100), nullable=True, unique=True),
)
