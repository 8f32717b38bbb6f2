"""The wallet search against brute force over every legal choice."""

from itertools import chain, combinations, product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dacu.domain.pricing.choice import choose
from dacu.domain.pricing.engine import price_before_wallet
from dacu.domain.pricing.ledger import base_of, take
from dacu.domain.pricing.offers import gather
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.steps import apply_packets, apply_platform_thresholds
from tests.unit.builders import (
    CUSTOMER,
    NOW,
    carts,
    coupon,
    festival_cases,
    line,
    promotions,
    red_packet,
    wallets,
)
from tests.unit.builders import (
    cart as make_cart,
)


def _subsets(items):
    return chain.from_iterable(combinations(items, size) for size in range(len(items) + 1))


def _brute_force(cart, offers, amounts, applied):
    """Every legal choice priced step by step; the lowest (payable, expiries, ids)."""
    per_shop = [[None, *offers.shop_coupons.get(shop, ())] for shop in cart.shops]
    best = None
    for shop_choice in product(*per_shop):
        working, taken, used = list(amounts), list(applied), []
        legal = True
        for reach in filter(None, shop_choice):
            discount = reach.item.discount(base_of(working, reach.lines))
            legal = legal and discount > 0
            taken.append(take(working, reach.lines, discount, reach.item.id, 0))
            used.append(reach.item)
        if not legal:
            continue
        taken += apply_platform_thresholds(cart, offers.platform_thresholds, working, None)
        for platform in (None, *offers.platform_coupons):
            after, taken2, used2 = list(working), list(taken), list(used)
            if platform is not None:
                discount = platform.item.discount(base_of(after, platform.lines))
                if discount == 0:
                    continue
                taken2.append(take(after, platform.lines, discount, platform.item.id, 0))
                used2.append(platform.item)
            before = {p.item.id: base_of(after, p.lines) for p in offers.red_packets}
            for packets in _subsets(offers.red_packets):
                final = list(after)
                gave = apply_packets(packets, before, final)
                if len(gave) != len(packets):
                    continue  # a packet that gives nothing is not a legal use
                found = Choice.of(sum(final), [*used2, *(p.item for p in packets)])
                if found.beats(best):
                    best = found
    return best


SEARCH = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SEARCH
@given(cart=carts(max_lines=4), promos=promotions(max_size=4), wallet=wallets(max_size=7))
def test_search_finds_the_brute_force_optimum(cart, promos, wallet):
    offers = gather(cart, CUSTOMER, [p for p in promos if not p.is_exclusive], wallet, NOW)
    amounts, applied, _, _ = price_before_wallet(cart, CUSTOMER, offers, trace=None)
    searched = choose(cart, offers, amounts)
    brute = _brute_force(cart, offers, amounts, applied)
    assert (searched.payable, searched.rank) == (brute.payable, brute.rank)


@SEARCH
@given(case=st.booleans().flatmap(lambda small: festival_cases(small=small)))
def test_search_shortcuts_keep_the_optimum_on_festival_carts(case):
    """Platform-wide 每满减 first, tiers and category rules after: the shortcuts that
    settle whole subtrees (stability.py) must land where brute force does."""
    cart, promos, wallet = case
    offers = gather(cart, CUSTOMER, promos, wallet, NOW)
    amounts, applied, _, _ = price_before_wallet(cart, CUSTOMER, offers, trace=None)
    searched = choose(cart, offers, amounts)
    brute = _brute_force(cart, offers, amounts, applied)
    assert (searched.payable, searched.rank) == (brute.payable, brute.rank)


def test_smaller_shop_coupon_unlocks_platform_coupon():
    # given: the bigger shop coupon leaves the platform coupon's threshold out of reach
    cart = make_cart(line("M1", 20000), line("M2", 9000))
    wallet = [
        coupon("c1", 29000, 3000, shop="s1"),
        coupon("c2", 20000, 2500, shop="s1"),
        coupon("c3", 26500, 2000),
        coupon("c4", 0, 800),
    ]
    offers = gather(cart, CUSTOMER, [], wallet, NOW)
    # when
    chosen = choose(cart, offers, [20000, 9000])
    # then
    assert chosen.payable == 24500
    assert sorted(item.id for item in chosen.used) == ["c2", "c3"]


def test_thirty_coupons_over_five_shops_are_searched_exactly():
    lines = [line(f"K{i}", 10000 + 1300 * i, shop=f"s{i % 5}") for i in range(10)]
    wallet = [
        coupon(f"c{s}-{k}", 5000 * k, 700 * k + 100 * s, shop=f"s{s}")
        for s in range(5)
        for k in range(1, 6)
    ] + [coupon(f"p{k}", 60000 + 10000 * k, 3000 + 1000 * k) for k in range(5)]
    cart = make_cart(*lines)
    offers = gather(cart, CUSTOMER, [], wallet, NOW)
    amounts = [ln.list_amount for ln in cart.lines]
    chosen = choose(cart, offers, amounts)
    brute = _brute_force(cart, offers, amounts, [])
    assert (chosen.payable, chosen.rank) == (brute.payable, brute.rank)


@given(st.integers(0, 3))
def test_red_packet_capped_at_zero_prefers_the_earlier_list(extra_hours):
    from datetime import timedelta

    cart = make_cart(line("A", 600))
    wallet = [
        red_packet("late", 0, 1000, expires=NOW + timedelta(days=2)),
        red_packet("soon", 0, 500, expires=NOW + timedelta(hours=1 + extra_hours)),
    ]
    offers = gather(cart, CUSTOMER, [], wallet, NOW)
    chosen = choose(cart, offers, [600])
    assert chosen.payable == 0
    assert [item.id for item in chosen.used] == ["soon", "late"]
