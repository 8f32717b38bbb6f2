"""Checkout (下单): quote, lock the price, reserve stock and coupons — once per key.

The same Idempotency-Key with the same request returns the order it placed;
with a different request it is a conflict, never a second order.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from dacu.domain.cart import Cart, Customer
from dacu.domain.errors import IdempotencyConflict
from dacu.domain.orders import Order, order_from_quote
from dacu.services.quotes import Campaigns, Enrollments, Wallets, check_purchase_limits, quote

PAY_WITHIN = timedelta(minutes=15)
"""Unpaid orders are cancelled, and their stock released, after this long."""


class Orders(Protocol):
    def find(self, customer_id: str, key: str) -> tuple[Order, str] | None: ...

    def place(self, order: Order, key: str, request_hash: str) -> bool: ...

    def unpaid_before(self, now: datetime) -> list[str]: ...

    def cancel(self, order_id: str, now: datetime) -> Order: ...


def request_hash(cart: Cart, customer: Customer) -> str:
    """A fingerprint of what was asked for, to tell a retry from a different request."""
    asked = {
        "mode": cart.mode.value,
        "lines": [[x.sku, x.shop, x.category, x.price, x.qty] for x in cart.lines],
        "customer": [
            customer.id,
            customer.first_order,
            customer.phone_verified,
            customer.member_tier,
            sorted(customer.bought.items()),
        ],
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


def checkout(
    orders: Orders,
    campaigns: Campaigns,
    wallets: Wallets,
    cart: Cart,
    customer: Customer,
    key: str,
    now: datetime,
    new_id: Callable[[], str],
    pay_within: timedelta = PAY_WITHIN,
    enrollments: Enrollments | None = None,
) -> Order:
    """Place the order for `cart` at today's best price, once per `key`."""
    fingerprint = request_hash(cart, customer)
    earlier = _earlier(orders, customer.id, key, fingerprint)
    if earlier is not None:
        return earlier
    if enrollments is not None:
        check_purchase_limits(campaigns, enrollments, cart, customer)
    price = quote(campaigns, wallets, cart, customer, now, enrollments=enrollments)
    order = order_from_quote(new_id(), customer.id, price, now, pay_within)
    if orders.place(order, key, fingerprint):
        return order
    placed = _earlier(orders, customer.id, key, fingerprint)  # a racing retry won
    assert placed is not None
    return placed


def release_unpaid(orders: Orders, now: datetime) -> list[str]:
    """The sweeper: cancel every order whose time to pay ran out (one sweep, no timers)."""
    cancelled = []
    for order_id in orders.unpaid_before(now):
        orders.cancel(order_id, now)
        cancelled.append(order_id)
    return cancelled


def _earlier(orders: Orders, customer_id: str, key: str, fingerprint: str) -> Order | None:
    found = orders.find(customer_id, key)
    if found is None:
        return None
    order, placed_hash = found
    if placed_hash != fingerprint:
        raise IdempotencyConflict(f"Idempotency-Key {key} was used for another order")
    return order
