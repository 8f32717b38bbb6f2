"""The order service on fakes: checkout once per key, stock held and given back, pay,
cancel and expiry as the order allows, refunds clawed back to the fen."""

from dataclasses import replace

import pytest

from dacu.domain.cart import Cart, Customer
from dacu.domain.coupons import Claimant, CouponStatus, CouponUnavailable
from dacu.domain.errors import ConcurrentChange, IdempotencyConflict, InvalidRule
from dacu.domain.orders import OrderStateError, OrderStatus, SoldOut
from tests.unit.order_rig import BUYER, CART, COAT, LATE, NOW, PHONE, Rig, rig


@pytest.fixture
def shop() -> Rig:
    return rig()


def statuses(shop: Rig, customer: str = "u1") -> list[CouponStatus]:
    return [coupon.status for coupon in shop.coupons.wallet(customer)]


def test_the_same_key_and_request_give_the_same_order_once(shop):
    first = shop.orders.checkout(CART, BUYER, "k1")
    again = shop.orders.checkout(CART, BUYER, "k1")
    assert again == first
    assert first.version == 1
    assert len(shop.shop.orders) == 1
    assert shop.pricing.quoted == 1  # the retry is answered without pricing again


def test_another_request_under_the_same_key_is_a_conflict_not_a_second_order(shop):
    shop.orders.checkout(CART, BUYER, "k1")
    with pytest.raises(IdempotencyConflict):
        shop.orders.checkout(Cart((COAT,)), BUYER, "k1")
    assert len(shop.shop.orders) == 1


def test_a_racing_retry_that_wins_leaves_one_order_and_only_its_stock_held(shop):
    shop.stock.set_stock("COAT", 10)
    rival = []
    # given: the same request, sent twice, both past the look-up; the other insert lands first
    shop.shop.before_write.append(lambda: rival.append(shop.orders.checkout(CART, BUYER, "k1")))
    # when
    placed = shop.orders.checkout(CART, BUYER, "k1")
    # then
    assert placed == rival[0]
    assert len(shop.shop.orders) == 1
    assert shop.stock.available("COAT") == 7


def test_stock_is_never_oversold_and_comes_back_on_cancel_and_expiry(shop):
    shop.stock.set_stock("COAT", 4)
    coat = Cart((COAT,))
    first = shop.orders.checkout(coat, BUYER, "k1")
    with pytest.raises(SoldOut):
        shop.orders.checkout(coat, Customer("u2"), "k2")
    assert shop.stock.available("COAT") == 1
    shop.orders.cancel(first.id)
    shop.orders.cancel(first.id)  # twice changes nothing, gives back nothing more
    assert shop.stock.available("COAT") == 4
    second = shop.orders.checkout(coat, Customer("u3"), "k3")
    assert shop.orders.expire_unpaid(NOW) == []  # not yet due
    assert shop.orders.expire_unpaid(LATE) == [second.id]
    assert shop.orders.get(second.id).status is OrderStatus.CANCELLED
    assert shop.stock.available("COAT") == 4


def test_a_failed_write_gives_the_reserved_stock_back(shop):
    shop.stock.set_stock("COAT", 5)
    coupon = shop.coupons.claim("t-300-30", Claimant("u1"), "c1")

    def rival_takes_the_coupon() -> None:
        shop.shop.coupons[coupon.id] = coupon.lock("u1", "rival", NOW)

    shop.shop.before_write.append(rival_takes_the_coupon)
    with pytest.raises(CouponUnavailable):
        shop.orders.checkout(CART, BUYER, "k1")
    assert shop.shop.orders == {}
    assert shop.shop.keys == {}
    assert shop.stock.available("COAT") == 5


def test_purchase_limits_refuse_the_cart_before_any_stock_is_taken(shop):
    shop.stock.set_stock("COAT", 5)
    shop.pricing.limits["COAT"] = 2
    with pytest.raises(InvalidRule, match="qty"):
        shop.orders.checkout(CART, BUYER, "k1")
    assert shop.stock.available("COAT") == 5
    bought_before = replace(BUYER, bought={"COAT": 1})
    with pytest.raises(InvalidRule):
        shop.orders.checkout(Cart((replace(COAT, qty=2),)), bought_before, "k2")


def test_checkout_locks_the_coupon_and_payment_redeems_it_and_books_the_funding(shop):
    coupon = shop.coupons.claim("t-300-30", Claimant("u1"), "c1")
    order = shop.orders.checkout(CART, BUYER, "k1")
    assert order.coupons == (coupon.id,)
    assert statuses(shop) == [CouponStatus.LOCKED]
    paid = shop.orders.pay(order.id)
    assert (paid.status, paid.version) == (OrderStatus.PAID, 2)
    assert statuses(shop) == [CouponStatus.REDEEMED]
    shares = [share for line in order.lines for share in line.discounts]
    funding = shop.orders.funding(order.id)
    assert funding["platform"] == sum(s.platform for s in shares) > 0
    # paying again is answered with the paid order and books nothing twice
    assert shop.orders.pay(order.id) == paid
    assert shop.orders.funding(order.id) == funding


def test_payment_after_the_time_to_pay_or_after_a_cancel_is_refused(shop):
    late = shop.orders.checkout(CART, BUYER, "k1")
    with pytest.raises(OrderStateError):
        shop.orders.pay(late.id, LATE)
    cancelled = shop.orders.checkout(Cart((PHONE,)), BUYER, "k2")
    shop.orders.cancel(cancelled.id)
    with pytest.raises(OrderStateError):
        shop.orders.pay(cancelled.id)
    paid = shop.orders.checkout(Cart((COAT,)), BUYER, "k3")
    shop.orders.pay(paid.id)
    with pytest.raises(OrderStateError):
        shop.orders.cancel(paid.id)
    assert shop.orders.expire_unpaid(LATE) == [late.id]


def test_cancel_and_expiry_give_the_coupon_back(shop):
    shop.coupons.claim("t-300-30", Claimant("u1"), "c1")
    first = shop.orders.checkout(CART, BUYER, "k1")
    shop.orders.cancel(first.id)
    assert statuses(shop) == [CouponStatus.HELD]
    second = shop.orders.checkout(CART, BUYER, "k2")
    assert second.coupons == first.coupons
    shop.orders.expire_unpaid(LATE)
    assert statuses(shop) == [CouponStatus.HELD]


def test_a_rival_write_between_load_and_save_is_a_concurrent_change_and_nothing_moves(shop):
    shop.stock.set_stock("COAT", 3)
    order = shop.orders.checkout(Cart((COAT,)), BUYER, "k1")
    shop.shop.before_write.append(lambda: shop.orders.pay(order.id))
    with pytest.raises(ConcurrentChange):
        shop.orders.cancel(order.id)
    assert shop.orders.get(order.id).status is OrderStatus.PAID
    assert shop.stock.available("COAT") == 0


def test_partial_refunds_add_up_to_the_fen_and_the_same_key_refunds_once(shop):
    shop.coupons.claim("t-300-30", Claimant("u1"), "c1")
    order = shop.orders.pay(shop.orders.checkout(CART, BUYER, "k1").id)
    paid = shop.orders.funding(order.id)
    first = shop.orders.refund(order.id, "COAT", 1, "r1")
    assert shop.orders.refund(order.id, "COAT", 1, "r1") == first
    shop.orders.refund(order.id, "COAT", 2, "r2")
    with pytest.raises(InvalidRule, match="qty"):
        shop.orders.refund(order.id, "COAT", 1, "r3")
    coat = order.line("COAT")
    assert shop.orders.refunded_money(order.id) == coat.payable
    after = shop.orders.funding(order.id)
    assert paid["platform"] - after["platform"] == sum(s.platform for s in coat.discounts)
    assert shop.orders.get(order.id).status is OrderStatus.PAID
    assert statuses(shop) == [CouponStatus.REDEEMED]
    # when the last unit comes back: nothing funded, all money back, the coupon held again
    shop.orders.refund(order.id, "PHONE", 1, "r4")
    assert shop.orders.funding(order.id) == {
        "platform": 0,
        "merchants": dict.fromkeys(paid["merchants"], 0),
    }
    assert shop.orders.refunded_money(order.id) == order.payable
    assert shop.orders.get(order.id).status is OrderStatus.REFUNDED
    assert statuses(shop) == [CouponStatus.HELD]


def test_only_paid_orders_refund(shop):
    order = shop.orders.checkout(CART, BUYER, "k1")
    with pytest.raises(OrderStateError):
        shop.orders.refund(order.id, "COAT", 1, "r1")
    assert shop.orders.refunded_money(order.id) == 0


def test_stock_is_reserved_for_every_line_or_none(shop):
    shop.stock.set_stock("COAT", 5)
    shop.stock.set_stock("PHONE", 0)
    with pytest.raises(SoldOut):
        shop.orders.checkout(CART, BUYER, "k1")
    assert (shop.stock.available("COAT"), shop.stock.available("PHONE")) == (5, 0)


def test_a_failed_checkout_retried_under_the_same_order_id_holds_its_stock(shop):
    shop.stock.set_stock("COAT", 5)
    coupon = shop.coupons.claim("t-300-30", Claimant("u1"), "c1")
    taken = coupon.lock("u1", "rival", NOW)
    shop.shop.before_write.append(lambda: shop.shop.coupons.update({coupon.id: taken}))
    with pytest.raises(CouponUnavailable):
        shop.orders.checkout(CART, BUYER, "k1", order_id="o-1")
    shop.shop.coupons[coupon.id] = coupon  # the rival's order let it go
    order = shop.orders.checkout(CART, BUYER, "k1", order_id="o-1")
    assert order.id == "o-1"
    assert shop.stock.available("COAT") == 2
