"""Tables of events, their hourly rollups and the case library (on the shared metadata)."""

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, SmallInteger, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata
from dacu.domain.kpis import COUNTERS

# Raw events, kept for audit, exports and rebuilding the rollups; no dashboard reads them.
events = Table(
    "events",
    metadata,
    Column("id", String(100), primary_key=True),  # the sender's: a retried batch counts once
    Column("campaign_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("segment", String(16), nullable=False),
    Column("at", AwareDateTime(), nullable=False),
    Column("sku", String(64), nullable=True),
    Column("order_id", String(64), nullable=True),
    Column("coupon", String(64), nullable=True),
    Column("amount", BigInteger, nullable=False, server_default="0"),
    Column("platform_funded", BigInteger, nullable=False, server_default="0"),
    Column("merchant_funded", BigInteger, nullable=False, server_default="0"),
    Column("lines", JSON, nullable=True),
    Column("received_at", AwareDateTime(), nullable=False),
    Index("ix_events_campaign_at", "campaign_id", "at"),
)

# One row per campaign, hour, channel, segment and shard: every counter of `Figures`.
# A writer adds onto the shard it holds, so writers never queue on one row; reads sum
# the shards.
kpi_hourly = Table(
    "kpi_hourly",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("hour", AwareDateTime(), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("segment", String(16), primary_key=True),
    Column("shard", SmallInteger, primary_key=True, server_default="0"),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in COUNTERS),
)

kpi_skus = Table(
    "kpi_skus",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("shard", SmallInteger, primary_key=True, server_default="0"),
    Column("views", BigInteger, nullable=False, server_default="0"),
    Column("carts", BigInteger, nullable=False, server_default="0"),
    Column("units", BigInteger, nullable=False, server_default="0"),
    Column("gmv", BigInteger, nullable=False, server_default="0"),
    Index("ix_kpi_skus_gmv", "campaign_id", "gmv"),
)

# Byte-wise text on PostgreSQL (COLLATE "C"): cheaper to compare and to index than a
# locale's rules, for keys nobody reads in alphabetical order.
_BYTEWISE = String(64).with_variant(String(64, collation="C"), "postgresql")

# Who has been counted in which distinct scope (UV, buyers, UV of an hour…), and in
# which cell: the earliest event's, even when an earlier event arrives late. The scope
# is a code of `dacu.adapters.kpi_scopes`.
kpi_seen = Table(
    "kpi_seen",
    metadata,
    Column("campaign_id", _BYTEWISE, primary_key=True),
    Column("scope", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", _BYTEWISE, primary_key=True),
    Column("at", AwareDateTime(), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("segment", String(16), nullable=False),
)

# Payments per buyer, to count repeat buyers (复购) once each.
kpi_buyers = Table(
    "kpi_buyers",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("payments", Integer, nullable=False),
)

# 案例库: every finished campaign's figures, kept for comparison and learning.
cases = Table(
    "cases",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("theme", String(200), nullable=False),
    Column("starts_at", AwareDateTime(), nullable=False),
    Column("ends_at", AwareDateTime(), nullable=False),
    Column("archived_at", AwareDateTime(), nullable=False),
    Column("figures", JSON, nullable=False),  # totals, targets, achievements, spend
    Column("highlights", JSON, nullable=False),
)
