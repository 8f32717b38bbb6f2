"""What the risk wiring keeps: each deed's identity and verdict (an order's checkout, a
held refund), and the delivery address a customer gave at checkout."""

from sqlalchemy import JSON, Column, String, Table

from dacu.adapters.tables.base import AwareDateTime, metadata

risk_deeds = Table(
    "risk_deeds",
    metadata,
    Column("subject", String(200), primary_key=True),  # order:<id>, refund:<order>:<key>
    Column("action", String(32), nullable=False),  # an Action
    Column("customer_id", String(64), nullable=False),
    Column("verdict", String(16), nullable=False),  # a Verdict
    Column("reason", String(64), nullable=False),
    Column("identity", JSON, nullable=False),  # device, ip, address, payment_account, phone
    Column("detail", JSON, nullable=False),  # what a held deed needs to be carried out
    Column("status", String(16), nullable=False),  # done, held, released, refused
    Column("at", AwareDateTime(), nullable=False),
)

order_addresses = Table(
    "order_addresses",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("receiver", String(64), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("region", String(128), nullable=False),
    Column("detail", String(256), nullable=False),
)
