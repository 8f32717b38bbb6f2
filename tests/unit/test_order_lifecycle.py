"""The order's states: what may follow what, and what its coupons become in each."""

from datetime import timedelta

import pytest

from dacu.domain.coupons import CouponStatus
from dacu.domain.orders import OrderStateError, OrderStatus, order_from_quote
from dacu.domain.pricing import price
from tests.unit.builders import CUSTOMER, NOW, cart, line

DUE = NOW + timedelta(minutes=15)


def pending():
    quote = price(cart(line("A", 1000, qty=2), line("B", 500)), CUSTOMER, [], [], NOW)
    return order_from_quote("o1", "u1", quote, NOW, timedelta(minutes=15))


def test_an_order_pays_within_its_time_and_paying_again_changes_nothing():
    paid = pending().pay(DUE)
    assert paid.status is OrderStatus.PAID
    assert paid.pay(DUE + timedelta(days=1)) is paid
    with pytest.raises(OrderStateError):
        pending().pay(DUE + timedelta(seconds=1))
    with pytest.raises(OrderStateError):
        pending().cancel(NOW).pay(NOW)


def test_only_an_unpaid_order_cancels_and_only_once_its_time_ran_out_does_it_expire():
    cancelled = pending().cancel(NOW)
    assert cancelled.status is OrderStatus.CANCELLED
    assert cancelled.cancel(NOW) is cancelled
    with pytest.raises(OrderStateError):
        pending().pay(NOW).cancel(NOW)
    with pytest.raises(OrderStateError):
        pending().expire(DUE)
    assert pending().expire(DUE + timedelta(seconds=1)).status is OrderStatus.CANCELLED
    with pytest.raises(OrderStateError):
        cancelled.expire(DUE + timedelta(days=1))


def test_refunding_every_unit_makes_the_order_refunded():
    order = pending().pay(NOW)
    order, first = order.refund("A", 1)
    assert (order.status, dict(order.refunded)) == (OrderStatus.PAID, {"A": 1})
    order, _ = order.refund("A", 1)
    order, _ = order.refund("B", 1)
    assert order.status is OrderStatus.REFUNDED
    assert first.amount == 1000
    with pytest.raises(OrderStateError):
        order.refund("A", 1)


def test_coupons_follow_the_order():
    order = pending()
    assert order.coupon_status is CouponStatus.LOCKED
    assert order.pay(NOW).coupon_status is CouponStatus.REDEEMED
    assert order.cancel(NOW).coupon_status is CouponStatus.HELD
    refunded, _ = order.pay(NOW).refund("A", 2)
    refunded, _ = refunded.refund("B", 1)
    assert refunded.coupon_status is CouponStatus.HELD  # refunded whole: given back
