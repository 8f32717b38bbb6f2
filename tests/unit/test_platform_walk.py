"""The platform walk kept as sums must land exactly where the line-by-line walk does."""

import copy

from hypothesis import HealthCheck, given, settings

from dacu.domain.pricing.engine import price_before_wallet
from dacu.domain.pricing.offers import gather
from dacu.domain.pricing.platform import Ledger, PlatformRules, best_choice
from tests.unit.builders import CUSTOMER, NOW, carts, festival_cases, promotions, wallets


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cart=carts(max_lines=5), promos=promotions(max_size=6), wallet=wallets(max_size=8))
def test_sums_walk_matches_the_line_walk(cart, promos, wallet):
    _assert_walks_agree(cart, [p for p in promos if not p.is_exclusive], wallet)


def _assert_walks_agree(cart, promos, wallet):
    offers = gather(cart, CUSTOMER, promos, wallet, NOW)
    amounts, _, _, _ = price_before_wallet(cart, CUSTOMER, offers, trace=None)
    rules = PlatformRules(offers)
    by_lines = copy.copy(rules)
    by_lines.by_sums = len(rules.lines)
    fast = best_choice(rules, Ledger(rules, amounts), [])
    slow = best_choice(by_lines, Ledger(by_lines, amounts), [])
    assert (fast.payable, fast.rank) == (slow.payable, slow.rank)


def test_a_narrower_rule_after_a_broader_one_is_walked_by_lines():
    from dacu.domain.rules import Scope
    from tests.unit.builders import cart as make_cart
    from tests.unit.builders import coupon, line, red_packet

    basket = make_cart(line("A", 10000, category="apparel"), line("B", 10000, category="food"))
    wallet = [
        coupon("all", 0, 3000),
        red_packet("apparel-only", 0, 500, scope=Scope(categories=frozenset({"apparel"}))),
    ]
    rules = PlatformRules(gather(basket, CUSTOMER, [], wallet, NOW))
    assert rules.by_sums == len(rules.lines)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=festival_cases(small=True))
def test_sums_walk_matches_the_line_walk_on_festival_carts(case):
    _assert_walks_agree(*case)
