"""Identity links (关联): every identifier an account was seen with, how many accounts
share each, and the clusters of accounts tied together, kept as a union-find."""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

risk_links = Table(  # one row per account and identifier it was seen with
    "risk_links",
    metadata,
    Column("kind", String(32), primary_key=True),  # a LinkKind
    Column("value", String(64), primary_key=True),  # the normalised identifier, hashed
    Column("customer_id", String(64), primary_key=True),
    Column("first_seen", AwareDateTime(), nullable=False),
    Column("last_seen", AwareDateTime(), nullable=False),
    Column("times", BigInteger, nullable=False),
    Index("ix_risk_links_customer_id", "customer_id"),
)

risk_values = Table(  # one row per identifier: how many accounts share it
    "risk_values",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("anchor", String(64), nullable=False),  # the first account seen with it
    Column("accounts", BigInteger, nullable=False),
    Column("first_seen", AwareDateTime(), nullable=False),
)

risk_nodes = Table(  # the union-find: one row per account seen
    "risk_nodes",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("parent", String(64), nullable=False),  # itself at a cluster's root
    Column("size", Integer, nullable=False),  # accounts in the cluster, read at the root
    Column("first_seen", AwareDateTime(), nullable=False),  # the cluster's, at the root
    Index("ix_risk_nodes_parent", "parent"),
)
