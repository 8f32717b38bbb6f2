"""What an order's price stands on — the customer's first order, 每人限购 — held as the
order is taken in, on fakes: a rival order slipped in first changes the answer."""

from datetime import timedelta

import pytest

from dacu.domain.cart import Cart, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.orders import Order, PurchaseLimitReached, order_from_quote
from dacu.domain.pricing import price
from tests.unit.order_rig import CART, COAT, NOW, PHONE, Rig, rig

NEWCOMER = Customer("u1", first_order=True, phone_verified=True)


def an_order(order_id: str = "o1", cart: Cart = CART, **terms: object) -> Order:
    quote = price(cart, NEWCOMER, [], [], NOW)
    return order_from_quote(order_id, "u1", quote, NOW, timedelta(minutes=15), **terms)  # type: ignore[arg-type]


def test_an_order_keeps_what_its_price_stands_on():
    order = an_order(first_order=True, limits={"COAT": 4})
    assert order.first_order
    assert order.limits == {"COAT": 4}
    assert order.units() == {"COAT": 3, "PHONE": 1}
    assert not an_order().first_order
    assert an_order().limits == {}


def test_a_limit_counts_the_customers_other_orders_with_this_one():
    order = an_order(limits={"COAT": 4, "PHONE": 1})
    assert order.over_limit({}) is None
    assert order.over_limit({"COAT": 1}) is None
    passed = order.over_limit({"COAT": 2, "PHONE": 1})
    assert isinstance(passed, PurchaseLimitReached)
    assert (passed.sku, passed.limit) == ("COAT", 4)  # the first by name
    assert an_order().over_limit({"COAT": 99}) is None  # no limits, nothing passed


@pytest.fixture
def shop() -> Rig:
    return rig()


def rival_first(shop: Rig, cart: Cart) -> None:
    """Another order of the customer's is written just before checkout writes its own."""
    shop.shop.before_write.append(
        lambda: shop.shop.orders.update({"rival": an_order("rival", cart)})
    )


def test_a_first_order_beaten_by_another_is_priced_again_as_no_first_order(shop):
    rival_first(shop, Cart((PHONE,)))
    order = shop.orders.checkout(CART, NEWCOMER, "k1")
    assert not order.first_order
    assert shop.pricing.quoted == 2  # priced as a first order, refused, priced again
    assert set(shop.shop.orders) == {"rival", order.id}


def test_a_limit_passed_with_an_order_placed_meanwhile_names_the_line(shop):
    shop.pricing.limits = {"COAT": 4}
    rival_first(shop, Cart((COAT,)))
    with pytest.raises(InvalidRule) as refused:
        shop.orders.checkout(Cart((PHONE, COAT)), Customer("u1"), "k1")
    assert refused.value.field == "cart.items[1].qty"
    assert set(shop.shop.orders) == {"rival"}  # nothing of the refused order written
    assert set(shop.stock.held) <= shop.stock.released  # and its stock given back
