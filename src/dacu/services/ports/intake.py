"""Taking an order in (下单): the one step of checkout that must be atomic.

Once the order is priced, the intake takes it in one step or not at all: it
stands for the customer's Idempotency-Key, its tracked stock is taken, its
coupons are locked to it, and it is on its way to the database. Two
implementations: in one SQL transaction after a stock reservation
(`services/intake.py`), and in one Redis script with the order written
behind by the checkout writers (`adapters/redis_checkout.py`) — the festival's
path, where the database sees batches instead of every click.
"""

from collections.abc import Mapping, Sequence
from typing import Protocol

from dacu.domain.orders import Order
from dacu.domain.types import Fen


class OrderIntake(Protocol):
    def accept(
        self, order: Order, key: str, fingerprint: str, bases: Mapping[str, Fen] | None = None
    ) -> Order:
        """Take `order` in for the customer's `key`, or return the order the key took in
        before (IdempotencyConflict when that one was asked with another fingerprint).
        Draws `order.drawn` from the campaign budgets, each within its base (`bases`)
        plus what was released of its reserve. SoldOut, CouponUnavailable or BudgetSpent,
        with nothing taken, when it cannot be had."""
        ...

    def placed(self, customer_id: str, key: str) -> tuple[Order, str] | None:
        """The order the customer's key took in, written or not, and its fingerprint."""
        ...

    def unwritten(self, order_id: str) -> Order | None:
        """An order taken in and not yet in the database (None once it is, or if unknown)."""
        ...

    def write_through(self, order_id: str) -> None:
        """Write the order now if it was taken in and is not written yet (before it is
        paid, cancelled or refunded); a no-op otherwise."""
        ...

    def give_back(
        self,
        order_id: str,
        coupons: Sequence[str],
        stock: bool,
        budgets: Mapping[str, Fen] | None = None,
    ) -> None:
        """The order no longer holds its coupons (and, when `stock`, its stock); `budgets`
        go back to the hot figures (the database's were given back in its transaction)."""
        ...
