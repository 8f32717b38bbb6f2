"""Customers' facts in SQL: their profile row and what their orders hold, in one read.

The facts a quote or checkout needs are read straight through the driver
(`raw_reads`), one round trip: the profile, and the units of each SKU the
customer's orders not cancelled hold (`customer_units`, kept by `count_units`
in the transaction that writes or cancels an order) and their flash-sale
orders reserved or paid (`flash_orders`, as the flash writers have written
them). What an order taken in by Redis but not yet written holds is added by
`checkout_views.WithUnwritten`. The intakes hold first order and 每人限购
against the orders alone, atomically (`held_units` here, `redis_customers.py`).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from dacu.adapters.outbox_store import SqlOutbox
from dacu.adapters.raw_reads import HotReads
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import customer_units, customers
from dacu.domain.cart import Customer
from dacu.domain.facts import registered
from dacu.domain.orders import Order

_FACTS = (
    "SELECT 'c', CAST(phone_verified AS INTEGER), member_tier, NULL FROM customers WHERE id = ?"
    " UNION ALL SELECT 'u', NULL, sku, units FROM customer_units"
    " WHERE customer_id = ? AND units > 0"
    " UNION ALL SELECT 'u', NULL, s.sku, o.qty FROM flash_orders o"
    " JOIN flash_sales s ON s.id = o.sale_id"
    " WHERE o.user_id = ? AND o.status IN ('reserved', 'paid')"
)


class SqlCustomers:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hot = HotReads(engine)

    def facts(self, customer_id: str) -> Customer:
        verified, tier = False, None
        bought: dict[str, int] = {}
        for kind, phone_verified, text, units in self._hot.fetch(
            _FACTS, (customer_id, customer_id, customer_id)
        ):
            if kind == "c":
                verified, tier = bool(phone_verified), text
            else:
                bought[text] = bought.get(text, 0) + int(units)
        return Customer(customer_id, not bought, verified, tier, bought)

    def put(
        self,
        customer_id: str,
        now: datetime,
        *,
        phone: str | None = None,
        phone_verified: bool | None = None,
        member_tier: str | None = None,
    ) -> None:
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("phone", phone),
                ("phone_verified", phone_verified),
                ("member_tier", member_tier),
            )
            if value is not None
        }
        with self._engine.begin() as connection:
            upsert = insert_for(connection, customers).values(
                id=customer_id, registered_at=now, **changes
            )
            if changes:
                upsert = upsert.on_conflict_do_update(index_elements=[customers.c.id], set_=changes)
            else:
                upsert = upsert.on_conflict_do_nothing()
            made = connection.execute(upsert.returning(customers.c.registered_at)).first()
            if made is not None and made[0] == now:  # a new customer: 注册, in the outbox
                SqlOutbox(connection).add(registered(customer_id, now))


LOCK = ""
"""The SKU of the customer's lock row in `customer_units`: its units stay 0, so it is
never counted; an order's transaction updates it to queue the customer's checkouts."""


def held_units(connection: Connection, customer_id: str) -> dict[str, int]:
    """Units of each SKU the customer's orders not cancelled hold, with the customer's
    lock row taken for the rest of the caller's transaction (a row lock on PostgreSQL;
    SQLite has one writer at a time anyway)."""
    lock = (
        insert_for(connection, customer_units)
        .values(customer_id=customer_id, sku=LOCK, units=0)
        .on_conflict_do_update(
            index_elements=[customer_units.c.customer_id, customer_units.c.sku],
            set_={"units": 0},
        )
    )
    connection.execute(lock)
    held = connection.execute(
        select(customer_units.c.sku, customer_units.c.units).where(
            customer_units.c.customer_id == customer_id, customer_units.c.units > 0
        )
    )
    return {sku: int(units) for sku, units in held}


def count_units(connection: Connection, orders: Iterable[Order], sign: int) -> None:
    """Add (+1: written) or take away (−1: cancelled) the orders' units per customer and
    SKU, in the caller's transaction."""
    counted: Counter[tuple[str, str]] = Counter()
    for order in orders:
        for line in order.lines:
            counted[(order.customer_id, line.sku)] += sign * line.qty
    for (customer_id, sku), units in sorted(counted.items()):
        upsert = (
            insert_for(connection, customer_units)
            .values(customer_id=customer_id, sku=sku, units=units)
            .on_conflict_do_update(
                index_elements=[customer_units.c.customer_id, customer_units.c.sku],
                set_={"units": customer_units.c.units + units},
            )
        )
        connection.execute(upsert)
