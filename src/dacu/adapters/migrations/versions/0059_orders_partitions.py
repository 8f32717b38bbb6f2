"""Orders partitioned by month of `created_at` on PostgreSQL (SQLite: a plain table).

A partitioned table's unique constraints must hold its partition key, so the
order id and the (customer, Idempotency-Key) pair, which must stay unique over
every month, move to a plain table beside it, `order_keys`. A trigger claims
an order's keys before its row goes in (INSERT … ON CONFLICT DO NOTHING into
`order_keys`): an order whose id or key is taken is skipped, exactly as the
writers' `INSERT … ON CONFLICT DO NOTHING` into a plain `orders` skipped it,
and two racing checkouts queue on the key's index as they did on the old
constraint. A deleted order gives its keys back; the key columns never change.
`refunds` and `ledger` refer to `order_keys(id)`, which is unique on its own.

Revision ID: 0059
Revises: 0058
"""

from datetime import UTC, datetime

from alembic import op
from sqlalchemy import text

from dacu.adapters.partition_ddl import drop_partitioned, to_partitioned, to_plain

revision = "0059"
down_revision = "0058"
branch_labels = None
depends_on = None

_REFERRERS = ("refunds", "ledger")

_CLAIM = """
CREATE FUNCTION order_keys_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_keys (id, customer_id, idempotency_key, created_at)
    VALUES (NEW.id, NEW.customer_id, NEW.idempotency_key, NEW.created_at)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;  -- id or key taken: the row is skipped, as ON CONFLICT DO NOTHING did
    END IF;
    RETURN NEW;
END $$
"""

_RELEASE = """
CREATE FUNCTION order_keys_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('dacu.moving_rows', true) = 'on' THEN
        RETURN OLD;  -- moved between partitions by `dacu db partitions`: still stored
    END IF;
    DELETE FROM order_keys WHERE id = OLD.id;
    RETURN OLD;
END $$
"""

_FIXED = """
CREATE FUNCTION order_keys_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an order''s id, customer and idempotency key do not change'
        USING ERRCODE = 'integrity_constraint_violation';
END $$
"""


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            "CREATE TABLE order_keys (id varchar(64) NOT NULL,"
            " customer_id varchar(64) NOT NULL, idempotency_key varchar(128) NOT NULL,"
            " created_at timestamptz NOT NULL, CONSTRAINT pk_order_keys PRIMARY KEY (id),"
            " CONSTRAINT uq_order_keys_idempotency UNIQUE (customer_id, idempotency_key))"
        )
    )
    connection.execute(
        text(
            "INSERT INTO order_keys SELECT id, customer_id, idempotency_key, created_at FROM orders"
        )
    )
    old = to_partitioned(connection, "orders", datetime.now(UTC))
    for table in _REFERRERS:
        connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_order_id_orders"))
    connection.execute(text(f"DROP TABLE {old}"))
    for statement in (
        "ALTER TABLE orders ADD CONSTRAINT pk_orders PRIMARY KEY (id, created_at)",
        "CREATE INDEX ix_orders_unpaid ON orders (status, pay_by)",
        "CREATE INDEX ix_orders_idempotency ON orders (customer_id, idempotency_key)",
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_id_order_keys"
        " FOREIGN KEY (id) REFERENCES order_keys (id)",
        *(
            f"ALTER TABLE {t} ADD CONSTRAINT fk_{t}_order_id_order_keys"
            " FOREIGN KEY (order_id) REFERENCES order_keys (id)"
            for t in _REFERRERS
        ),
        _CLAIM,
        _RELEASE,
        _FIXED,
        "CREATE TRIGGER orders_claim_keys BEFORE INSERT ON orders"
        " FOR EACH ROW EXECUTE FUNCTION order_keys_claim()",
        "CREATE TRIGGER orders_release_keys AFTER DELETE ON orders"
        " FOR EACH ROW EXECUTE FUNCTION order_keys_release()",
        "CREATE TRIGGER orders_keys_fixed BEFORE UPDATE OF id, customer_id, idempotency_key"
        " ON orders FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id"
        " OR OLD.customer_id IS DISTINCT FROM NEW.customer_id"
        " OR OLD.idempotency_key IS DISTINCT FROM NEW.idempotency_key)"
        " EXECUTE FUNCTION order_keys_fixed()",
    ):
        connection.execute(text(statement))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    old = to_plain(connection, "orders")
    for table in _REFERRERS:
        connection.execute(
            text(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_order_id_order_keys")
        )
    drop_partitioned(connection, old)
    for statement in (
        "DROP TABLE order_keys",
        "DROP FUNCTION order_keys_claim()",
        "DROP FUNCTION order_keys_release()",
        "DROP FUNCTION order_keys_fixed()",
        "ALTER TABLE orders ADD CONSTRAINT pk_orders PRIMARY KEY (id)",
        "ALTER TABLE orders ADD CONSTRAINT uq_orders_idempotency"
        " UNIQUE (customer_id, idempotency_key)",
        "CREATE INDEX ix_orders_unpaid ON orders (status, pay_by)",
        *(
            f"ALTER TABLE {t} ADD CONSTRAINT fk_{t}_order_id_orders"
            " FOREIGN KEY (order_id) REFERENCES orders (id)"
            for t in _REFERRERS
        ),
    ):
        connection.execute(text(statement))
