"""Customers' facts in SQL: their profile row and what their orders hold, in one read.

The facts a quote or checkout needs are read straight through the driver
(`raw_reads`), one round trip: the profile, and the lines of every order not
cancelled. What an order taken in by Redis but not yet written holds is added
by `checkout_views.WithUnwritten`.
"""

import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.raw_reads import HotReads
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import customers
from dacu.domain.cart import Customer
from dacu.domain.orders import OrderStatus

_FACTS = (
    "SELECT 'c', CAST(phone_verified AS INTEGER), member_tier, NULL FROM customers WHERE id = ?"
    " UNION ALL SELECT 'o', NULL, NULL, CAST(document AS TEXT) FROM orders"
    f" WHERE customer_id = ? AND status <> '{OrderStatus.CANCELLED.value}'"
)


class SqlCustomers:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hot = HotReads(engine)

    def facts(self, customer_id: str) -> Customer:
        verified, tier = False, None
        bought: Counter[str] = Counter()
        placed = 0
        for kind, phone_verified, member_tier, document in self._hot.fetch(
            _FACTS, (customer_id, customer_id)
        ):
            if kind == "c":
                verified, tier = bool(phone_verified), member_tier
                continue
            placed += 1
            bought.update(_units(document))
        return Customer(customer_id, placed == 0, verified, tier, dict(bought))

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
            connection.execute(upsert)


def _units(document: Any) -> Counter[str]:
    lines = (json.loads(document) if isinstance(document, str) else document)["lines"]
    units: Counter[str] = Counter()
    for line in lines:
        units[line["sku"]] += int(line["qty"])
    return units
