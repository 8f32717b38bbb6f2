"""Orders (订单): checkout once per key, pay, cancel, the sweeper, refunds.

What may follow what is the `Order`'s to say; this service loads the order in
a unit of work, asks it, and saves what it answers — with the order's coupons
following it and the funding ledger booked in the same transaction. Checkout
prices the cart and hands the order to the intake (`ports/intake.py`), which
takes its stock and coupons and stands it for the key in one step — written
at once, or behind by the checkout writers; an order still on its way is
written through before anything else happens to it. Cancelled or expired,
its stock and coupons are given back.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from dacu.domain.budgets import BudgetSpent
from dacu.domain.cart import Cart, CartMode, Customer
from dacu.domain.coupons import CouponStatus
from dacu.domain.errors import ConcurrentChange, IdempotencyConflict, InvalidRule
from dacu.domain.facts import order_closed, order_paid, order_placed, order_refunded
from dacu.domain.funding_entries import paid_entry, refund_entry
from dacu.domain.ledger import Entry
from dacu.domain.orders import (
    FirstOrderTaken,
    Order,
    OrderStateError,
    PurchaseLimitReached,
    Refund,
    UnknownOrder,
    order_from_quote,
)
from dacu.domain.types import Fen
from dacu.services.ports.intake import OrderIntake
from dacu.services.ports.pricing import Pricing
from dacu.services.ports.unit_of_work import UnitOfWork

PAY_WITHIN = timedelta(minutes=15)
"""Unpaid orders are cancelled, and their stock released, after this long."""

Clock = Callable[[], datetime]
NewId = Callable[[], str]


def _post(uow: UnitOfWork, entry: Entry | None) -> None:
    if entry is not None:
        uow.ledger.post(entry)


def request_hash(cart: Cart, customer: Customer) -> str:
    """A fingerprint of what was asked for — which SKUs, how many, for whom — to tell a
    retry from a different request. Prices and the customer's facts are the server's,
    and may move between a request and its retry; they are not part of it."""
    asked = {
        "mode": cart.mode.value,
        "lines": [[x.sku, x.qty] for x in cart.lines],
        "customer": customer.id,
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


class OrderService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        intake: OrderIntake,
        pricing: Pricing,
        clock: Clock,
        new_id: NewId,
        pay_within: timedelta = PAY_WITHIN,
    ) -> None:
        self._uow, self._intake, self._pricing = uow, intake, pricing
        self._clock, self._new_id, self._pay_within = clock, new_id, pay_within

    def priced_by(self, pricing: Pricing) -> "OrderService":
        """The same orders, priced another way (the simulator's cached catalog)."""
        return OrderService(
            self._uow, self._intake, pricing, self._clock, self._new_id, self._pay_within
        )

    # --- checkout ------------------------------------------------------------------

    def checkout(
        self,
        cart: Cart,
        customer: Customer,
        key: str,
        now: datetime | None = None,
        *,
        order_id: str | None = None,
    ) -> Order:
        """Place the order for `cart` at today's best price, once per `key`.

        The same key with the same request returns the order it placed; with a
        different request it is an IdempotencyConflict, never a second order.
        """
        if cart.mode is CartMode.GROUP:  # a quote may preview 拼团 prices; only a group pays them
            raise InvalidRule("cart.mode", "a group price needs a group the server formed")
        now = now or self._clock()
        fingerprint = request_hash(cart, customer)
        earlier = self._intake.placed(customer.id, key)
        if earlier is not None:
            if earlier[1] != fingerprint:
                raise IdempotencyConflict(f"Idempotency-Key {key} was used for another order")
            return earlier[0]
        price = self._pricing.quote(cart, customer, now)
        limits = self._pricing.check_purchase_limits(cart, customer, now)
        order_id = order_id or self._new_id()
        bases = self._pricing.bases(now)
        spent: set[str] = set()
        for _ in range(len(bases) + 2):
            order = order_from_quote(
                order_id,
                customer.id,
                price,
                now,
                self._pay_within,
                first_order=customer.first_order,
                limits=limits,
            )
            drawn = {c: n for c, n in order.draws().items() if c in bases}
            try:
                taken = self._intake.accept(replace(order, drawn=drawn), key, fingerprint, bases)
                self._pricing.moved(taken.drawn)
                return taken
            except BudgetSpent as refused:  # nothing taken: price it without those budgets
                spent |= refused.campaigns
            except FirstOrderTaken:  # another order of theirs came first: price it as such
                customer = replace(customer, first_order=False)
            except PurchaseLimitReached as refused:
                skus = [line.sku for line in cart.lines]
                field = f"cart.items[{skus.index(refused.sku)}].qty"  # limits are the cart's
                raise InvalidRule(field, refused.message) from None
            price = self._pricing.quote(cart, customer, now, spent=spent)
        raise BudgetSpent(spent)

    def draws(self, cart: Cart, customer: Customer, now: datetime) -> dict[str, Fen]:
        """The platform's shares the cart would draw, priced now; nothing is placed."""
        price = self._pricing.quote(cart, customer, now)
        found = order_from_quote("quote", customer.id, price, now, self._pay_within)
        return found.draws()

    def place_made(self, order: Order, now: datetime) -> Order:
        """Write an order made elsewhere (a paid 抢购's), the platform's shares drawn from
        the capped budgets in its transaction (BudgetSpent, nothing written, past a cap);
        the order as it stands when it was written before."""
        bases = self._pricing.bases(now)
        drawn = {c: n for c, n in order.draws().items() if c in bases}
        with self._uow() as uow:
            if not uow.orders.add(replace(order, drawn=drawn), order.id, order.id):
                return uow.orders.get(order.id)
            refused = [c for c, n in sorted(drawn.items()) if not uow.budgets.draw(c, n, bases[c])]
            if refused:
                raise BudgetSpent(refused)
            uow.outbox.add(order_placed(order))
        self._intake.give_back(order.id, (), stock=False, budgets={c: -n for c, n in drawn.items()})
        self._pricing.moved(drawn)
        return self.get(order.id)

    # --- after checkout ----------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        """The order, written or still on its way to the database; UnknownOrder if none."""
        for attempt in range(2):
            try:
                with self._uow() as uow:
                    return uow.orders.get(order_id)
            except UnknownOrder:
                unwritten = self._intake.unwritten(order_id)
                if unwritten is not None:
                    return unwritten
                if attempt:
                    raise
        raise AssertionError("unreachable")  # written between the two reads: found the second

    def find(self, customer_id: str, key: str) -> Order | None:
        """The order the customer placed with this Idempotency-Key, if any."""
        found = self._intake.placed(customer_id, key)
        return None if found is None else found[0]

    def pay(self, order_id: str, now: datetime | None = None) -> Order:
        """Paid: coupons redeemed (核销), who funds each fen booked; paying twice is a no-op."""
        now = now or self._clock()
        self._intake.write_through(order_id)
        with self._uow() as uow:
            order = uow.orders.get(order_id)
            paid = order.pay(now)
            if paid is order:
                return order
            paid = self._save(uow, order, paid)
            for line in paid.lines:
                uow.orders.book(order_id, None, line.shop, line.discounts, 1, now, paid.funders)
            _post(uow, paid_entry(paid, now))
            uow.outbox.add(*order_paid(paid, now))
        return paid

    def cancel(self, order_id: str, now: datetime | None = None) -> Order:
        """Cancel an unpaid order: its stock and coupons come back at once."""
        return self._close(order_id, Order.cancel, now or self._clock())

    def expire_unpaid(self, now: datetime | None = None) -> list[str]:
        """The sweeper: cancel every order whose time to pay ran out (one sweep, no timers)."""
        now = now or self._clock()
        with self._uow() as uow:
            due = uow.orders.unpaid_before(now)
        expired = []
        for order_id in due:
            try:
                self._close(order_id, Order.expire, now)
            except (OrderStateError, ConcurrentChange):
                continue  # cancelled, or expired by another sweeper, meanwhile
            expired.append(order_id)
        return expired

    def _close(
        self, order_id: str, close: Callable[[Order, datetime], Order], now: datetime
    ) -> Order:
        self._intake.write_through(order_id)
        with self._uow() as uow:
            order = uow.orders.get(order_id)
            closed = close(order, now)
            if closed is order:
                return order
            closed = self._save(uow, order, closed)
            uow.budgets.give(order.drawn)
            uow.outbox.add(order_closed(closed, now))
        self._intake.give_back(order_id, order.coupons, stock=True, budgets=order.drawn)
        self._pricing.moved(order.drawn)
        return closed

    def refundable(self, order_id: str, sku: str, qty: int, key: str) -> bool:
        """Raise what `refund` would refuse (unpaid, more than is left, an unknown line);
        whether it is new (False: the key refunded before, its answer stands)."""
        self._intake.write_through(order_id)
        with self._uow() as uow:
            order = uow.orders.get(order_id)
            if uow.orders.refund_of(order, key) is not None:
                return False
            order.refund(sku, qty)
            return True

    def refund(
        self,
        order_id: str,
        sku: str,
        qty: int,
        key: str,
        now: datetime | None = None,
        refund_id: str | None = None,
    ) -> Refund:
        """Give back `qty` units of `sku`, each discount's share clawed back from its
        funders; the same key refunds once. Refunded whole, the coupons come back."""
        now = now or self._clock()
        self._intake.write_through(order_id)
        with self._uow() as uow:
            order = uow.orders.get(order_id)
            done = uow.orders.refund_of(order, key)
            if done is not None:
                return done
            after, refund = order.refund(sku, qty)
            self._save(uow, order, after)
            refund_id = refund_id or self._new_id()
            uow.orders.add_refund(order_id, refund_id, key, refund, now)
            uow.orders.book(
                order_id, refund_id, refund.shop, refund.clawbacks, -1, now, order.funders
            )
            _post(uow, refund_entry(order, refund_id, refund, now))
            back = order.given_back(refund)
            uow.budgets.give(back)
            uow.outbox.add(order_refunded(order, refund_id, refund, now))
        returned = after.coupon_status is CouponStatus.HELD
        if returned and order.coupon_status is not CouponStatus.HELD:  # refunded whole
            self._intake.give_back(order_id, order.coupons, stock=False, budgets=back)
        elif back:
            self._intake.give_back(order_id, (), stock=False, budgets=back)
        self._pricing.moved(back)
        return refund

    def funding(self, order_id: str | None = None) -> dict[str, Any]:
        """What the platform and each merchant fund now, net of clawbacks."""
        with self._uow() as uow:
            return uow.orders.funding(order_id)

    def refunded_money(self, order_id: str) -> int:
        with self._uow() as uow:
            return uow.orders.refunded_money(order_id)

    @staticmethod
    def _save(uow: UnitOfWork, before: Order, after: Order) -> Order:
        """Save the order; its coupons follow when its state asks something new of them."""
        saved = uow.orders.save(after)
        if after.coupon_status is not before.coupon_status:
            for coupon in uow.coupons.of_order(after.id):
                uow.coupons.save(coupon.follow(after.id, after.coupon_status), coupon.status)
        return saved
