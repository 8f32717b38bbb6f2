"""新人首单 and 每人限购 held as orders are taken in, on SQLite, PostgreSQL and Redis: two
checkouts of one customer at once cannot both be their first order, nor together
pass a per-customer limit; a cancelled order frees its units; flash holds count."""

import itertools
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.checkout_writer import CheckoutWriter
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.cart import Customer
from dacu.domain.enrollment import Enrollment, Merchant
from dacu.domain.errors import InvalidRule
from dacu.domain.flashsale import FlashSale
from dacu.domain.orders import Order, OrderStatus
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import REDIS, REDIS_CLUSTER, intake_of, stock_example_goods

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WARM_UP = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
FIRST_ORDER = "first-order-30-10"
_ids = itertools.count()
_lock = threading.Lock()


def new_id() -> str:
    with _lock:
        return f"lim-{next(_ids)}"


@pytest.fixture(params=["sql", REDIS, REDIS_CLUSTER])
def platform(request: pytest.FixtureRequest, engine) -> Iterator[Platform]:
    """The double-11 campaign with A-SCARF enrolled (每人限购3件), orders taken in by the
    database or by Redis."""
    with intake_of(request.param) as (redis_url, prefix):
        platform = bootstrap(engine, ids=new_id, redis_url=redis_url, redis_prefix=prefix)
        document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
        platform.campaigns.apply(
            *load_campaign(json.loads(json.dumps(document, default=str))), "ops", WARM_UP
        )
        stock_example_goods(platform)
        platform.enrollments.put_merchant(Merchant("north-wear", True, 9500, None, ("apparel",)))
        terms = Enrollment("e1", "double11-2026", "north-wear", "A-SCARF", 12900, 9900, 100)
        platform.enrollments.enroll(terms, WARM_UP)
        platform.enrollments.review("e1", True, "ops", "", WARM_UP)
        yield platform


def drain(platform: Platform) -> None:
    """With Redis, write what was taken in (as the checkout writers would)."""
    if isinstance(platform.intake, RedisOrderIntake):
        CheckoutWriter(platform.intake.client, platform.intake, "test", 0).drain()


def checkout(platform: Platform, customer_id: str, sku: str, qty: int, key: str, at: datetime):
    """Check out as the API does: the cart and the customer's facts from the server."""
    cart = platform.goods.cart([(sku, qty)])
    return platform.orders.checkout(cart, platform.customers.facts(customer_id), key, at)


def at_once(calls: int, attempt) -> list[Order | InvalidRule]:
    start = threading.Barrier(calls)

    def run(i: int) -> Order | InvalidRule:
        start.wait()
        try:
            return attempt(i)
        except InvalidRule as refused:
            return refused

    with ThreadPoolExecutor(max_workers=calls) as pool:
        return list(pool.map(run, range(calls)))


def first_order_off(order: Order) -> bool:
    return any(share.id == FIRST_ORDER for line in order.lines for share in line.discounts)


def test_simultaneous_checkouts_give_the_first_order_discount_once(platform):
    # given a phone-verified customer before their first order
    platform.profiles.put("u-new", WARM_UP, phone_verified=True)
    # when eight checkouts of theirs run at once, each with its own key
    placed = at_once(8, lambda i: checkout(platform, "u-new", "A-COAT", 1, f"k{i}", WARM_UP))
    drain(platform)
    # then every order stands, and exactly one has 新人首单
    assert all(isinstance(order, Order) for order in placed)
    orders = [order for order in placed if isinstance(order, Order)]
    assert len({order.id for order in orders}) == 8
    assert sum(first_order_off(order) for order in orders) == 1
    assert not platform.customers.facts("u-new").first_order


def test_simultaneous_checkouts_do_not_pass_the_per_customer_limit_together(platform):
    # given 每人限购3件 on A-SCARF, when two checkouts of two each run at once
    outcomes = at_once(2, lambda i: checkout(platform, "u-lim", "A-SCARF", 2, f"k{i}", BURST))
    drain(platform)
    # then one is placed at the campaign price and the other refused, naming its line
    placed = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, InvalidRule)]
    assert len(placed) == 1
    assert len(refused) == 1
    assert placed[0].payable == 2 * 9900
    assert refused[0].field == "cart.items[0].qty"
    assert platform.customers.facts("u-lim").bought == {"A-SCARF": 2}
    # when the placed order is cancelled, the limit frees again
    assert platform.orders.cancel(placed[0].id, BURST).status is OrderStatus.CANCELLED
    again = checkout(platform, "u-lim", "A-SCARF", 2, "k-again", BURST)
    third = checkout(platform, "u-lim", "A-SCARF", 1, "k-third", BURST + timedelta(seconds=1))
    drain(platform)
    assert again.payable == 2 * 9900
    assert third.payable == 9900
    with pytest.raises(InvalidRule) as over:
        checkout(platform, "u-lim", "A-SCARF", 1, "k-fourth", BURST)
    assert over.value.field == "cart.items[0].qty"


def test_an_expired_order_frees_its_units_and_the_first_order(platform):
    platform.profiles.put("u-late", WARM_UP, phone_verified=True)
    first = checkout(platform, "u-late", "A-COAT", 1, "k1", WARM_UP)
    assert first_order_off(first)
    drain(platform)
    assert platform.orders.expire_unpaid(WARM_UP + timedelta(hours=1)) == [first.id]
    again = checkout(platform, "u-late", "A-COAT", 1, "k2", WARM_UP + timedelta(hours=1))
    assert first_order_off(again)


def test_a_flash_hold_counts_toward_what_the_customer_bought(engine):
    from tests.integration.flash_campaign import live_campaign

    platform = bootstrap(engine, ids=new_id)
    campaign = live_campaign(platform)
    sale = FlashSale(
        "fs-1", "P-PHONE", WARM_UP, BURST, stock=10, limit_per_user=2, campaign_id=campaign
    )
    platform.flashsales.open(sale)
    assert platform.flashsales.attempt("fs-1", "u-flash", "r1", 2, WARM_UP).accepted
    facts = platform.customers.facts("u-flash")
    assert facts.bought == {"P-PHONE": 2}
    assert not facts.first_order


def test_redis_rebuilds_a_customers_units_from_the_database(platform):
    if not isinstance(platform.intake, RedisOrderIntake):
        pytest.skip("the units are Redis's own")
    first = checkout(platform, "u-gone", "A-SCARF", 2, "k1", BURST)
    drain(platform)
    platform.intake.client.delete(platform.intake.customers.key("u-gone"))  # evicted
    stale = Customer("u-gone")  # facts read before the first order: nothing bought
    with pytest.raises(InvalidRule) as refused:
        platform.orders.checkout(platform.goods.cart([("A-SCARF", 2)]), stale, "k2", BURST)
    assert refused.value.field == "cart.items[0].qty"
    platform.intake.client.delete(platform.intake.customers.key("u-gone"))
    platform.orders.cancel(first.id, BURST)  # given back with no figure to take from
    assert checkout(platform, "u-gone", "A-SCARF", 3, "k3", BURST).payable == 3 * 9900
