"""Orders taken in elsewhere (Redis), written to the database in batches.

One transaction per batch: the orders with `INSERT … ON CONFLICT DO NOTHING`
(so an order written twice — by a writer that died before acknowledging, or
by a write-through racing the writers — is one order), then, for the orders
this batch wrote, their coupons' locks, their units in the database's
stock book and their budget draws. An order the database refuses for its
Idempotency-Key (another order has it) is reported back, to be given back
where it was taken in.
"""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.codec import order_to_json
from dacu.adapters.coupon_repository import SqlCouponRepository
from dacu.adapters.customer_store import count_units
from dacu.adapters.outbox_store import SqlOutbox
from dacu.adapters.sql import insert_for
from dacu.adapters.stock_store import book_reservations
from dacu.adapters.tables import orders
from dacu.domain.errors import DomainError
from dacu.domain.facts import order_placed
from dacu.domain.orders import Order

log = logging.getLogger(__name__)


class Accepted(NamedTuple):
    """An order taken in, with its key, its request's fingerprint and the tracked units
    it took."""

    order: Order
    key: str
    fingerprint: str
    taken: tuple[tuple[str, int], ...] = ()


def write_accepted(engine: Engine, batch: Sequence[Accepted], now: datetime) -> set[str]:
    """Write the batch; returns the ids of orders refused for their key (not written)."""
    rows = [
        {
            "id": a.order.id,
            "customer_id": a.order.customer_id,
            "idempotency_key": a.key,
            "request_hash": a.fingerprint,
            "status": a.order.status.value,
            "document": order_to_json(a.order),
            "refunded": {},
            "version": 1,
            "created_at": a.order.created_at,
            "pay_by": a.order.pay_by,
        }
        for a in batch
    ]
    with engine.begin() as connection:
        insert = insert_for(connection, orders).values(rows).on_conflict_do_nothing()
        written = set(connection.scalars(insert.returning(orders.c.id)))
        fresh = [a for a in batch if a.order.id in written]
        _lock_coupons(connection, fresh)
        count_units(connection, [a.order for a in fresh], +1)
        _book_draws(connection, fresh)
        taken = [(a.order.id, sku, qty) for a in fresh for sku, qty in a.taken]
        book_reservations(connection, taken, now)
        SqlOutbox(connection).add(*(order_placed(a.order) for a in fresh))
        missing = [a.order.id for a in batch if a.order.id not in written]
        known = set(connection.scalars(select(orders.c.id).where(orders.c.id.in_(missing))))
    return set(missing) - known


def _book_draws(connection: Connection, batch: Sequence[Accepted]) -> None:
    """What the orders drew from the budgets (checked against the caps when taken in)."""
    drawn: dict[str, int] = {}
    for accepted in batch:
        for campaign, amount in accepted.order.drawn.items():
            drawn[campaign] = drawn.get(campaign, 0) + amount
    SqlBudgets(connection).add(drawn)


def _lock_coupons(connection: Connection, batch: Sequence[Accepted]) -> None:
    """Lock each order's coupons as the database knows them. The lock that counted was
    taken where the order was taken in; one the database cannot follow (the coupon was
    revoked or changed meanwhile) is logged, and the order stands at its price."""
    coupons = SqlCouponRepository(connection)
    for accepted in batch:
        order = accepted.order
        for coupon in coupons.get_many(order.coupons):
            try:
                locked = coupon.lock(order.customer_id, order.id, order.created_at)
                coupons.save(locked, coupon.status)
            except DomainError as error:
                log.error("order %s: coupon %s not locked: %s", order.id, coupon.id, error)
