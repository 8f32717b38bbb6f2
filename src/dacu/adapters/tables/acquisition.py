"""Acquisition (拉新): invite and merchant codes, share links, and each reward decided."""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, UniqueConstraint

from dacu.adapters.tables.base import AwareDateTime, metadata

invite_codes = Table(  # 邀请码: one stable code per member
    "invite_codes",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),  # upper case
    Column("at", AwareDateTime(), nullable=False),
)

merchant_codes = Table(  # 商家码: one per shop, made on first ask
    "merchant_codes",
    metadata,
    Column("shop_id", String(64), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("at", AwareDateTime(), nullable=False),
)

shares = Table(  # 分享得券: one link per sharer, target and day
    "shares",
    metadata,
    Column("token", String(32), primary_key=True),
    Column("sharer", String(64), nullable=False),
    Column("target", String(16), nullable=False),  # "sku" | "venue"
    Column("target_id", String(64), nullable=False),
    Column("day", String(10), nullable=False),  # Shanghai YYYY-MM-DD
    Column("opens", BigInteger, nullable=False, default=0),
    Column("at", AwareDateTime(), nullable=False),
    UniqueConstraint("sharer", "target", "target_id", "day", name="uq_shares_per_day"),
)

acquisition_rewards = Table(  # one decision per key: mechanic, campaign, new member
    "acquisition_rewards",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("mechanic", String(16), nullable=False),  # welcome | invite | share
    Column("campaign_id", String(64), nullable=False),
    Column("customer_id", String(64), nullable=False),  # who is rewarded
    Column("subject", String(64), nullable=False),  # the new member it is for
    Column("outcome", String(16), nullable=False),  # domain.acquisition.Outcome
    Column("coupon", String(64), nullable=False),
    Column("value", BigInteger, nullable=False),  # the coupon's face value, fen
    Column("line", String(160), nullable=True),  # the budget line it drew, if any
    Column("drawn", BigInteger, nullable=False),  # what it drew there (given back unless issued)
    Column("at", AwareDateTime(), nullable=False),
    Index("ix_acquisition_rewards_campaign", "campaign_id", "mechanic", "outcome"),
    Index("ix_acquisition_rewards_customer", "customer_id", "mechanic"),
)

acquisition_counts = Table(  # per-inviter and per-sharer-per-day caps, counted atomically
    "acquisition_counts",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("n", Integer, nullable=False),
)
