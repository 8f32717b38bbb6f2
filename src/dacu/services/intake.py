"""Taking an order in with the database as the lock: a stock reservation, then one transaction.

The default intake, and the one without Redis. The stock is reserved through
its port first (so a sold-out cart never opens a transaction), then the order,
its coupons' locks and its budget draws are written together (each draw one
conditional update of the campaign's budget row); when that fails, or a
racing retry with the same key won, the reservation is given back. In the same
transaction the customer is locked and their orders counted again, so two
checkouts of one customer cannot both be their first order, nor together pass
每人限购.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from dacu.domain.budgets import BudgetSpent
from dacu.domain.coupons import CouponUnavailable
from dacu.domain.errors import ConcurrentChange, IdempotencyConflict
from dacu.domain.facts import order_placed
from dacu.domain.orders import FirstOrderTaken, Order
from dacu.domain.types import Fen
from dacu.services.ports.stock import StockReservations
from dacu.services.ports.unit_of_work import UnitOfWork


class DirectIntake:
    """OrderIntake over a unit of work and a stock port: written before it answers."""

    def __init__(self, uow: Callable[[], UnitOfWork], stock: StockReservations) -> None:
        self._uow, self._stock = uow, stock

    def accept(
        self, order: Order, key: str, fingerprint: str, bases: Mapping[str, Fen] | None = None
    ) -> Order:
        self._stock.reserve(order.id, [(line.sku, line.qty) for line in order.lines])
        try:
            placed = self._place(order, key, fingerprint, bases or {})
        except BaseException:
            self._stock.release(order.id)
            raise
        if placed is not None:
            return placed
        earlier = self.placed(order.customer_id, key)  # a racing retry won
        if earlier is None:
            raise ConcurrentChange(f"order {order.id} exists under another key")
        if earlier[0].id != order.id:
            self._stock.release(order.id)
        if earlier[1] != fingerprint:
            raise IdempotencyConflict(f"Idempotency-Key {key} was used for another order")
        return earlier[0]

    def _place(
        self, order: Order, key: str, fingerprint: str, bases: Mapping[str, Fen]
    ) -> Order | None:
        with self._uow() as uow:
            if not uow.orders.add(order, key, fingerprint):
                return None
            _check_customer(order, uow.orders.held_by(order.customer_id))
            found = {c.id: c for c in uow.coupons.get_many(order.coupons)}
            for coupon_id in order.coupons:
                if coupon_id not in found:
                    raise CouponUnavailable(f"coupon {coupon_id} cannot be used on this order")
                coupon = found[coupon_id]
                locked = coupon.lock(order.customer_id, order.id, order.created_at)
                uow.coupons.save(locked, coupon.status)
            uow.outbox.add(order_placed(order))
            # last: a campaign's budget row is every checkout's, held only until the commit
            refused = [
                campaign
                for campaign, amount in sorted(order.drawn.items())
                if not uow.budgets.draw(campaign, amount, bases.get(campaign, 0))
            ]
            if refused:
                raise BudgetSpent(refused)  # rolls the order back with everything else
        return replace(order, version=1)

    def placed(self, customer_id: str, key: str) -> tuple[Order, str] | None:
        with self._uow() as uow:
            return uow.orders.find(customer_id, key)

    def unwritten(self, order_id: str) -> Order | None:
        return None  # written before `accept` answers

    def write_through(self, order_id: str) -> None:
        return None

    def give_back(
        self,
        order_id: str,
        coupons: Sequence[str],
        stock: bool,
        budgets: Mapping[str, Fen] | None = None,
    ) -> None:
        if stock:  # the coupons follow the order in the database, in its transaction
            self._stock.release(order_id)


def _check_customer(order: Order, held: Mapping[str, int]) -> None:
    """What the order's price stands on, against the customer's orders (this one's units
    included in `held`): FirstOrderTaken or PurchaseLimitReached rolls it back."""
    others = dict(held)
    for sku, units in order.units().items():
        others[sku] = others.get(sku, 0) - units
    if order.first_order and any(units > 0 for units in others.values()):
        raise FirstOrderTaken(f"order {order.id} was priced as a first order")
    passed = order.over_limit(others)
    if passed is not None:
        raise passed
