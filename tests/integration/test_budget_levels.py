"""Hard caps at every level on real databases, with and without Redis: a promotion's
platform share draws its own line and its department's besides the campaign's, in
the same atomic step; the first level spent stops it (the quote says which); cancels
and refunds give back to every level; a storm never passes any level's cap."""

import copy
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from dacu.adapters.budget_reads import SqlBudgetReads
from dacu.domain.budget_levels import department_line, promotion_line
from dacu.domain.cart import Customer
from dacu.domain.coupons import Claimant
from dacu.domain.errors import InvalidRule
from dacu.schemas.campaigns import load_campaign
from tests.integration import test_budgets as base
from tests.integration.test_budgets import (
    BURST,
    CAMPAIGN,
    COATS,
    SHARE,
    WARM_UP,
    apparel_share,
    budgeted,
)

pytestmark = pytest.mark.integration
world = base.world  # the fixture: a platform on each database, with and without Redis

PROMOTION = "apparel-300-50"


def levelled(total: int, promotion: int | None, market: int, contingency_bp: int = 0) -> dict:
    document = budgeted(total, contingency_bp)
    document["budget"]["departments"] = {"market": market, "operations": 1000}
    held = next(p for p in document["promotions"] if p["id"] == PROMOTION)
    held["department"] = "market"
    if promotion is not None:
        held["budget"] = promotion
    return document


def drawn(world, *keys: str) -> list[int]:
    found = SqlBudgetReads(world.platform.engine).drawn(keys)
    return [found.get(key, (0, 0))[0] for key in keys]


LINE = promotion_line(CAMPAIGN, PROMOTION)
MARKET = department_line(CAMPAIGN, "market")


def test_a_promotion_stops_when_its_own_line_is_spent_and_the_quote_says_so(world):
    world.platform.campaigns.apply(
        *load_campaign(levelled(10**8, 2 * SHARE, 10**7)), "ops", WARM_UP
    )
    first, second = world.place("u-1"), world.place("u-2")
    assert apparel_share(first) == apparel_share(second) == SHARE
    assert first.drawn == {CAMPAIGN: SHARE, LINE: SHARE, MARKET: SHARE}
    assert drawn(world, CAMPAIGN, LINE, MARKET) == [2 * SHARE] * 3
    quoted = world.platform.quotes.quote(COATS, Customer("u-3"), BURST)
    assert [s.id for s in quoted.applied if s.platform] == []
    assert any(w.startswith("budget_spent") and PROMOTION in w for w in quoted.warnings)
    third = world.place("u-3")
    assert apparel_share(third) == 0
    assert third.drawn == {}
    world.platform.orders.cancel(first.id, BURST)  # given back at every level
    assert drawn(world, CAMPAIGN, LINE, MARKET) == [SHARE] * 3
    assert apparel_share(world.place("u-4")) == SHARE


def test_the_department_line_caps_its_promotions(world):
    world.platform.campaigns.apply(*load_campaign(levelled(10**8, None, SHARE + 1)), "ops", WARM_UP)
    assert apparel_share(world.place("u-1")) == SHARE
    quoted = world.platform.quotes.quote(COATS, Customer("u-2"), BURST)
    assert any("department" in w and "market" in w for w in quoted.warnings)
    assert apparel_share(world.place("u-2")) == 0
    assert drawn(world, CAMPAIGN, MARKET) == [SHARE, SHARE]


def test_refunds_give_back_to_every_level(world):
    world.platform.campaigns.apply(*load_campaign(levelled(10**8, 10**6, 10**7)), "ops", WARM_UP)
    orders = world.platform.orders
    order = world.place("u-1")
    orders.pay(order.id, BURST + timedelta(minutes=1))
    refund = orders.refund(order.id, "A-COAT", 1, "r1", BURST + timedelta(hours=1))
    back = sum(c.platform for c in refund.clawbacks)
    assert drawn(world, CAMPAIGN, LINE, MARKET) == [SHARE - back] * 3
    orders.refund(order.id, "A-COAT", 1, "r1", BURST + timedelta(hours=1))  # the same key
    assert drawn(world, CAMPAIGN, LINE, MARKET) == [SHARE - back] * 3


def test_a_coupon_template_draws_its_own_line(world):
    document = levelled(10**8, None, 10**7)
    template = next(t for t in document["coupons"] if t["id"] == "warm-up-300-30")
    template.update(department="operations", budget=1000)
    document["budget"]["departments"]["operations"] = 10**6
    world.platform.campaigns.apply(*load_campaign(document), "ops", WARM_UP)
    coupons = world.platform.coupons
    for who in ("u-1", "u-2"):
        coupons.claim("warm-up-300-30", Claimant(who), f"c-{who}", WARM_UP)
    quoted = world.platform.quotes.quote(COATS, Customer("u-1"), BURST)
    assert quoted.used == ()  # 3,000 off is past the template's 1,000
    assert any("warm-up-300-30" in w for w in quoted.warnings)


def test_a_storm_never_passes_any_level(world):
    cap = 5 * SHARE + 999
    document = levelled(10**8, cap, 10**7)
    world.platform.campaigns.apply(*load_campaign(document), "ops", WARM_UP)

    def buy(n: int):
        return world.platform.orders.checkout(COATS, Customer(f"s-{n}"), f"k{n}", BURST)

    with ThreadPoolExecutor(8) as pool:
        placed = list(pool.map(buy, range(24)))
    world.drain()
    funded = [order for order in placed if apparel_share(order)]
    assert len(funded) == 5
    assert drawn(world, CAMPAIGN, LINE, MARKET) == [5 * SHARE] * 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["promotions"][0].update(department="sales"), "promotions[0].department"),
        (lambda d: d["promotions"][0].update(budget=-5), "promotions[0].budget"),
        (lambda d: d["promotions"][0].update(budget=True), "promotions[0].budget"),
        (lambda d: d["coupons"][1].update(department="sales"), "coupons[1].department"),
        (lambda d: d["budget"]["departments"].update(market=99_000_000), "budget.departments"),
        (lambda d: d["promotions"][0].update(budget=10**7 + 1), "budget.departments.market"),
        (lambda d: d["promotions"][1].update(budget=10**8), "promotions"),
    ],
)
def test_the_file_is_refused_naming_the_field(change, field):
    document = levelled(10**8, None, 10**7, contingency_bp=800)
    document["promotions"][0]["department"] = "market"
    document = copy.deepcopy(document)
    change(document)
    with pytest.raises(InvalidRule) as refused:
        load_campaign(document)
    assert refused.value.field == field
