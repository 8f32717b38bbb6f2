"""Budgets as hard caps on real databases, with and without Redis: the platform's shares
are drawn at checkout, never past the cap even in a storm, given back on cancel and
refund, and the reserve opens only as an operator releases it."""

import itertools
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.audit import history
from dacu.adapters.checkout_writer import CheckoutWriter
from dacu.adapters.gates import redis_client
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.errors import InvalidRule
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import REDIS, intake_of

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Asia/Shanghai")
WARM_UP = datetime(2026, 11, 9, 10, 0, tzinfo=ZONE)
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=ZONE)
COATS = Cart((CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),))
SHARE = 14000  # apparel-300-50 on three coats: 20,000 off, 70% of it the platform's
CAMPAIGN = "double11-2026"
_ids = itertools.count()
_lock = threading.Lock()


def new_id() -> str:
    with _lock:
        return f"b-{next(_ids)}"


class World:
    def __init__(self, platform: Platform, writer: CheckoutWriter | None) -> None:
        self.platform, self.writer = platform, writer

    def place(self, customer: str, key: str = "k", cart: Cart = COATS):
        order = self.platform.orders.checkout(cart, Customer(customer), key, BURST)
        self.drain()
        return order

    def drain(self) -> None:
        if self.writer is not None:
            self.writer.drain()

    def figures(self):
        return self.platform.budgets.figures(CAMPAIGN)


def budgeted(total: int, contingency_bp: int = 800) -> dict:
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    document = json.loads(json.dumps(document, default=str))
    document["budget"] = {"total": total, "contingency_bp": contingency_bp}
    return document


@pytest.fixture(params=["sql", REDIS])
def world(request: pytest.FixtureRequest, engine) -> Iterator[World]:
    with intake_of(request.param) as (redis_url, prefix):
        platform = bootstrap(engine, ids=new_id, redis_url=redis_url, redis_prefix=prefix)
        writer = None
        if isinstance(platform.intake, RedisOrderIntake):
            writer = CheckoutWriter(redis_client(redis_url or ""), platform.intake, "test", 0)
        yield World(platform, writer)


def apparel_share(order) -> int:
    return sum(d.platform for line in order.lines for d in line.discounts)


def test_the_cap_stops_the_platform_share_and_the_quote_says_why(world):
    # 31,000 less an 8% reserve (2,480): 28,520 may be drawn, two carts' 14,000 each
    world.platform.campaigns.apply(*load_campaign(budgeted(31000)), "ops", WARM_UP)
    first, second = world.place("u-1"), world.place("u-2")
    assert apparel_share(first) == apparel_share(second) == SHARE
    assert world.figures().drawn == 2 * SHARE
    quoted = world.platform.quotes.quote(COATS, Customer("u-3"), BURST)
    assert [s.id for s in quoted.applied if s.platform] == []
    assert any(w.startswith("budget_spent") and CAMPAIGN in w for w in quoted.warnings)
    third = world.place("u-3")
    assert apparel_share(third) == 0
    assert third.drawn == {}
    assert world.figures().drawn == 2 * SHARE
    world.platform.orders.cancel(first.id, BURST)  # its share goes back to the budget
    assert world.figures().drawn == SHARE
    assert apparel_share(world.place("u-4")) == SHARE


def test_refunds_give_back_and_the_burn_is_read_from_the_ledger(world):
    world.platform.campaigns.apply(*load_campaign(budgeted(100000)), "ops", WARM_UP)
    orders = world.platform.orders
    order = world.place("u-1")
    orders.pay(order.id, BURST + timedelta(minutes=1))
    assert world.figures().burn == SHARE
    refund = orders.refund(order.id, "A-COAT", 1, "r1", BURST + timedelta(hours=1))
    back = sum(c.platform for c in refund.clawbacks)
    assert back == SHARE // 3
    figures = world.figures()
    assert figures.drawn == SHARE - back
    assert figures.burn == SHARE - back
    orders.refund(order.id, "A-COAT", 1, "r1", BURST + timedelta(hours=1))  # the same key
    assert world.figures().drawn == SHARE - back


def test_the_reserve_opens_only_by_an_operator_and_on_record(world, engine):
    world.platform.campaigns.apply(*load_campaign(budgeted(30000, 1000)), "ops", WARM_UP)
    budgets = world.platform.budgets
    assert world.figures().cap == 27000  # 10% of 30,000 held back
    world.place("u-1")
    assert apparel_share(world.place("u-2")) == 0  # 28,000 would pass 27,000
    with pytest.raises(InvalidRule) as refused:
        budgets.release(CAMPAIGN, 3001, "ops-lead", "more than the reserve", "r0")
    assert refused.value.field == "amount"
    opened = budgets.release(CAMPAIGN, 1000, "ops-lead", "晚8点爆发加码", "r1")
    assert budgets.release(CAMPAIGN, 1000, "ops-lead", "晚8点爆发加码", "r1") == opened  # retried
    assert opened.cap == 28000
    assert opened.released == 1000
    assert apparel_share(world.place("u-3")) == SHARE
    assert [r[:3] for r in budgets.releases(CAMPAIGN)] == [(1000, "ops-lead", "晚8点爆发加码")]
    audited = history(engine, f"budget:{CAMPAIGN}")
    assert audited[-1]["actor"] == "ops-lead"
    assert audited[-1]["action"] == "budget.release"


def test_a_storm_of_checkouts_never_draws_past_the_cap(world):
    world.platform.campaigns.apply(*load_campaign(budgeted(5 * SHARE + 9999, 0)), "ops", WARM_UP)

    def buy(n: int):
        return world.platform.orders.checkout(COATS, Customer(f"s-{n}"), f"k{n}", BURST)

    with ThreadPoolExecutor(8) as pool:
        placed = list(pool.map(buy, range(24)))
    world.drain()
    funded = [order for order in placed if apparel_share(order)]
    assert len(placed) == 24
    assert len(funded) == 5
    assert world.figures().drawn == 5 * SHARE <= world.figures().cap
