"""The key tables beside PostgreSQL's partitioned tables (migrations 0059, 0060): what
must stay unique over every month. Not on the shared metadata — SQLite has no such
tables — and written only by the partitioned tables' triggers; read to find a row's
month."""

from sqlalchemy import String, column, table

from dacu.adapters.tables.base import AwareDateTime

order_keys = table(
    "order_keys",
    column("id", String),
    column("customer_id", String),
    column("idempotency_key", String),
    column("created_at", AwareDateTime()),
)
