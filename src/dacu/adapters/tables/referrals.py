"""Who brought each member in: an invite code (a member) or a merchant code (a shop)."""

from sqlalchemy import Column, Index, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

referrals = Table(
    "referrals",
    metadata,
    Column("customer_id", String(64), primary_key=True),  # the invitee: one referrer each
    Column("kind", String(16), nullable=False),  # "invite" | "merchant"
    Column("referrer", String(64), nullable=False),  # a customer id, or a shop id
    Column("campaign_id", String(64), nullable=True),  # the campaign whose rules applied
    Column("at", AwareDateTime(), nullable=False),
    Index("ix_referrals_referrer", "kind", "referrer"),
)
