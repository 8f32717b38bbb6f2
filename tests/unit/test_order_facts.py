"""The facts the order service keeps for the KPIs, on fakes: one per deed, in the deed's
unit of work (a deed undone leaves none), with the money the order says."""

import pytest

from dacu.domain.events import Channel, EventKind, Segment
from dacu.domain.facts import Fact
from dacu.domain.orders import OrderStateError
from tests.unit.order_rig import BUYER, CART, LATE, NOW, Rig, rig


@pytest.fixture
def shop() -> Rig:
    return rig()


def kinds(shop: Rig) -> list[EventKind]:
    return [fact.kind for fact in shop.shop.facts.values()]


def test_checkout_pay_and_refund_each_keep_one_fact(shop):
    order = shop.orders.checkout(CART, BUYER, "k1")
    shop.orders.checkout(CART, BUYER, "k1")  # a retry: no second fact
    assert kinds(shop) == [EventKind.ORDER]
    paid = shop.orders.pay(order.id)
    shop.orders.pay(order.id)
    assert kinds(shop)[:2] == [EventKind.ORDER, EventKind.PAYMENT]
    payment = shop.shop.facts[f"order:{order.id}:paid"]
    assert payment.amount == paid.payable
    funding = shop.orders.funding(order.id)
    assert payment.platform_funded == funding["platform"]
    assert payment.merchant_funded == sum(funding["merchants"].values())
    uses = [fact for fact in shop.shop.facts.values() if fact.kind is EventKind.COUPON_USE]
    assert [fact.coupon for fact in uses] == list(paid.coupons)
    sku = paid.lines[0].sku
    refund = shop.orders.refund(order.id, sku, 1, "r1")
    shop.orders.refund(order.id, sku, 1, "r1")
    refunds = [fact for fact in shop.shop.facts.values() if fact.kind is EventKind.REFUND]
    assert [(fact.amount, fact.placed_at) for fact in refunds] == [(refund.amount, NOW)]


def test_a_cancelled_or_expired_order_is_a_fact_and_a_failed_pay_is_none(shop):
    order = shop.orders.checkout(CART, BUYER, "k1")
    shop.orders.cancel(order.id)
    shop.orders.cancel(order.id)
    assert kinds(shop) == [EventKind.ORDER, EventKind.ORDER_CANCELLED]
    other = shop.orders.checkout(CART, BUYER, "k2")
    assert shop.orders.expire_unpaid(LATE) == [other.id]
    with pytest.raises(OrderStateError):
        shop.orders.pay(other.id, LATE)
    assert kinds(shop).count(EventKind.PAYMENT) == 0
    assert kinds(shop).count(EventKind.ORDER_CANCELLED) == 2


def test_a_fact_makes_the_same_event_id_for_the_same_campaign_only():
    fact = Fact("order:o1:placed", EventKind.ORDER, "u1", NOW, NOW, order_id="o1", amount=5)
    one = fact.event("c1", Channel.APP, Segment.NEW)
    assert one.id == fact.event("c1", Channel.WEB, Segment.RETURNING).id
    assert one.id != fact.event("c2", Channel.APP, Segment.NEW).id
    assert len(one.id) <= 100
