"""Rules of the pricing spec that the shared scenarios do not pin down."""

from datetime import timedelta

import pytest

from dacu.domain import benefits as b
from dacu.domain.cart import Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import price
from dacu.domain.promotions import Promotion
from dacu.domain.rules import Level, Scope, Window
from tests.unit.builders import CUSTOMER, NOW, cart, coupon, line, red_packet, threshold_off


def test_exclusive_offer_wins_only_when_strictly_cheaper():
    # given: the first-order offer and the stack both take 10.00 off
    first_order = Promotion("fo", Level.PLATFORM, b.FirstOrderOff(3000, 1000))
    stack = threshold_off("p", (3000, 1000), level=Level.SHOP, shop="s1")
    newcomer = Customer("u1", first_order=True, phone_verified=True)
    # when
    result = price(cart(line("A", 3500)), newcomer, [first_order, stack], [], NOW)
    # then: the stack keeps the tie
    assert result.payable == 2500
    assert result.exclusive is None


def test_flash_limit_used_up_warns_and_falls_back_to_list_price():
    flash = Promotion("fs", Level.ITEM, b.FlashPrice(5000, 2), scope=Scope(skus=frozenset({"K"})))
    buyer = Customer("u1", bought={"K": 2})
    result = price(cart(line("K", 9000, qty=1)), buyer, [flash], [], NOW)
    assert result.payable == 9000
    assert "fs" in result.warnings[0]


def test_promotion_outside_its_window_does_not_apply():
    later = Window(NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    promotion = Promotion("p", Level.ITEM, b.DirectOff(100), window=later)
    assert price(cart(line("A", 1000)), CUSTOMER, [promotion], [], NOW).payable == 1000


def test_window_ends_are_included():
    window = Window(NOW - timedelta(hours=1), NOW)
    promotion = Promotion("p", Level.ITEM, b.DirectOff(100), window=window)
    assert price(cart(line("A", 1000)), CUSTOMER, [promotion], [], NOW).payable == 900


def test_hint_for_a_unit_tier_prices_the_missing_units_at_the_cheapest_unit():
    by_units = b.ThresholdDiscount((b.RateTier(1000, min_qty=3),), by_qty=True)
    promotion = Promotion("p", Level.SHOP, by_units, shop="s1")
    result = price(
        cart(line("A", 1000, qty=1), line("B", 800, qty=1)), CUSTOMER, [promotion], [], NOW
    )
    assert [(h.id, h.add, h.extra_off) for h in result.hints] == [("p", 800, 260)]


def test_coupon_below_its_threshold_hints_what_to_add():
    result = price(cart(line("A", 25000)), CUSTOMER, [], [coupon("c", 30000, 3000)], NOW)
    assert [(h.id, h.add, h.extra_off) for h in result.hints] == [("c", 5000, 3000)]


def test_red_packets_never_take_a_line_below_zero():
    packets = [red_packet("r1", 0, 800), red_packet("r2", 0, 800)]
    result = price(cart(line("A", 1000)), CUSTOMER, [], packets, NOW)
    assert result.payable == 0
    assert result.lines[0].payable == 0


def test_wallet_ids_must_be_unique():
    with pytest.raises(InvalidRule, match=r"wallet\[1\]\.id"):
        price(cart(line("A", 1000)), CUSTOMER, [], [coupon("c", 0, 1), coupon("c", 0, 1)], NOW)


@pytest.mark.parametrize(
    ("tiers", "field"),
    [
        (((30000, 5000), (20000, 8000)), "tiers[1].threshold"),
        (((30000, 5000), (60000, 5000)), "tiers[1].off"),
        (((3000, 3000),), "tiers[0].off"),
    ],
)
def test_bad_tiers_are_refused_naming_the_tier(tiers, field):
    with pytest.raises(InvalidRule) as refused:
        b.ThresholdOff(tuple(b.OffTier(t, o) for t, o in tiers))
    assert refused.value.field == field
