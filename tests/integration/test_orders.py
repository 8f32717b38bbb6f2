"""Orders on real SQLite and PostgreSQL: idempotent checkout, stock, payment, cancel,
and partial refunds reconciled to the fen against the funding ledger."""

import itertools
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.checkout_writer import CheckoutWriter
from dacu.adapters.gates import redis_client
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.coupons import Claimant
from dacu.domain.errors import IdempotencyConflict
from dacu.domain.orders import OrderStateError, OrderStatus, SoldOut
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import REDIS, intake_of

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WARM_UP = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
_ids = itertools.count()
_lock = threading.Lock()


def new_id() -> str:
    with _lock:
        return f"id-{next(_ids)}"


@dataclass
class World:
    """The platform, and the checkout writer when orders are taken in by Redis."""

    platform: Platform
    writer: CheckoutWriter | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.platform, name)


@pytest.fixture(params=["sql", REDIS])
def world(request: pytest.FixtureRequest, engine) -> Iterator[World]:
    """Orders taken in by the database, or by Redis and written behind."""
    with intake_of(request.param) as (redis_url, prefix):
        platform = bootstrap(engine, ids=new_id, redis_url=redis_url, redis_prefix=prefix)
        document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
        platform.campaigns.apply(
            *load_campaign(json.loads(json.dumps(document, default=str))), "ops", WARM_UP
        )
        writer = None
        if isinstance(platform.intake, RedisOrderIntake):
            writer = CheckoutWriter(redis_client(redis_url or ""), platform.intake, "test", 0)
        yield World(platform, writer)


CART = Cart(
    (
        CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),
        CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),
        CartLine("A-SCARF", "north-wear", 12900, 2, "apparel"),
    )
)
BUYER = Customer("u-1024", phone_verified=True)


def place(world, key="k1", cart=CART, customer=BUYER, at=BURST):
    """Check out; with Redis, the writers then write what was taken in."""
    order = world.orders.checkout(cart, customer, key, at)
    if world.writer is not None:
        world.writer.drain()
    return order


def test_the_same_key_and_request_give_the_same_order_and_another_request_conflicts(world):
    first = place(world)
    assert place(world).id == first.id
    other = Cart((CartLine("A-COAT", "north-wear", 45900, 1, "apparel"),))
    with pytest.raises(IdempotencyConflict):
        place(world, cart=other)


def test_checkout_locks_the_price_and_the_coupons_payment_redeems_them(world):
    coupons, orders = world.coupons, world.orders
    coupon = coupons.claim("warm-up-300-30", Claimant("u-1024"), "c1", WARM_UP)
    order = place(world)
    assert coupon.id in order.coupons
    assert [c.status for c in coupons.wallet("u-1024")] == ["locked"]
    paid = orders.pay(order.id, BURST + timedelta(minutes=1))
    assert paid.status is OrderStatus.PAID
    assert [c.status for c in coupons.wallet("u-1024")] == ["redeemed"]
    funding = orders.funding(order.id)
    shares = [d for line in order.lines for d in line.discounts]
    assert funding["platform"] == sum(d.platform for d in shares)
    assert sum(funding["merchants"].values()) == sum(d.merchant for d in shares)


def test_stock_is_reserved_never_oversold_and_released_on_cancel_and_timeout(world):
    orders, stock = world.orders, world.stock
    stock.set_stock("A-COAT", 4)
    coat = Cart((CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),))
    first = place(world, "k1", coat)
    with pytest.raises(SoldOut):
        place(world, "k2", coat, Customer("u-2"))
    assert stock.available("A-COAT") == 1
    orders.cancel(first.id, BURST)
    assert stock.available("A-COAT") == 4
    second = place(world, "k3", coat, Customer("u-3"))
    assert orders.expire_unpaid(BURST + timedelta(hours=1)) == [second.id]
    assert stock.available("A-COAT") == 4
    with pytest.raises(OrderStateError):
        orders.pay(second.id, BURST + timedelta(hours=1))


def test_a_checkout_storm_never_oversells(world):
    stock = world.stock
    stock.set_stock("P-PHONE", 10)
    phone = Cart((CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),))

    def attempt(i: int) -> str:
        try:
            place(world, f"k{i}", phone, Customer(f"u{i}"))
        except SoldOut:
            return "sold_out"
        return "placed"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(60)))
    assert outcomes.count("placed") == 10
    assert stock.available("P-PHONE") == 0


def test_partial_refunds_claw_back_every_share_to_the_fen(world):
    coupons, orders = world.coupons, world.orders
    coupons.claim("warm-up-300-30", Claimant("u-1024"), "c1", WARM_UP)
    order = place(world)
    orders.pay(order.id, BURST)
    paid_funding = orders.funding(order.id)
    # given: the coat refunded one unit at a time (the same key twice counts once)
    orders.refund(order.id, "A-COAT", 1, "r1", BURST, "rf1")
    orders.refund(order.id, "A-COAT", 1, "r1", BURST, "rf1-again")
    orders.refund(order.id, "A-COAT", 2, "r2", BURST, "rf2")
    with pytest.raises(Exception, match="qty"):
        orders.refund(order.id, "A-COAT", 1, "r3", BURST, "rf3")
    coat = order.line("A-COAT")
    assert orders.refunded_money(order.id) == coat.payable
    after = orders.funding(order.id)
    assert paid_funding["platform"] - after["platform"] == sum(d.platform for d in coat.discounts)
    # when: everything else comes back too
    orders.refund(order.id, "P-PHONE", 1, "r4", BURST, "rf4")
    orders.refund(order.id, "A-SCARF", 2, "r5", BURST, "rf5")
    # then: the ledger is back to zero, the money paid is back, and the coupon is held again
    assert orders.funding(order.id) == {
        "platform": 0,
        "merchants": dict.fromkeys(paid_funding["merchants"], 0),
    }
    assert orders.refunded_money(order.id) == order.payable
    assert orders.get(order.id).status is OrderStatus.REFUNDED
    assert [c.status for c in coupons.wallet("u-1024")] == ["held"]


def test_one_request_sent_from_many_threads_places_one_order_and_takes_stock_once(world):
    world.stock.set_stock("A-COAT", 30)
    coat = Cart((CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),))
    with ThreadPoolExecutor(max_workers=8) as pool:
        placed = list(pool.map(lambda _: place(world, "same-key", coat), range(16)))
    assert len({order.id for order in placed}) == 1
    assert world.stock.available("A-COAT") == 27


def test_the_server_knows_a_first_order_and_what_was_bought_until_it_is_cancelled(world):
    assert world.customers.facts("u-77").first_order
    coat = Cart((CartLine("A-COAT", "north-wear", 45900, 2, "apparel"),))
    order = world.orders.checkout(coat, world.customers.facts("u-77"), "k1", BURST)
    facts = world.customers.facts("u-77")  # written or not yet: the same facts
    assert (facts.first_order, dict(facts.bought)) == (False, {"A-COAT": 2})
    world.orders.cancel(order.id, BURST)
    if world.writer is not None:
        world.writer.drain()
    facts = world.customers.facts("u-77")
    assert (facts.first_order, dict(facts.bought)) == (True, {})


def test_the_double_entry_ledger_posts_every_share_and_every_clawback_once(world):
    world.coupons.claim("warm-up-300-30", Claimant("u-1024"), "c1", WARM_UP)
    order = place(world)
    world.orders.pay(order.id, BURST)
    world.orders.pay(order.id, BURST)  # paid twice: posted once
    ledger, funding = world.ledger, world.orders.funding(order.id)
    subsidy = ledger.balances("merchant:", until=None)
    owed = {a.split(":")[1]: -n for a, n in subsidy.items() if a.endswith(":subsidy")}
    assert sum(owed.values()) == funding["platform"] > 0
    funded = {a.split(":")[1]: n for a, n in subsidy.items() if a.endswith(":funded_discounts")}
    assert funded == {shop: n for shop, n in funding["merchants"].items() if n}
    assert ledger.trial_balance() == 0
    # when: the coat comes back, one refund retried
    world.orders.refund(order.id, "A-COAT", 3, "r1", BURST, "rf1")
    world.orders.refund(order.id, "A-COAT", 3, "r1", BURST, "rf1-again")
    after = world.orders.funding(order.id)
    balances = ledger.balances("merchant:")
    assert -sum(n for a, n in balances.items() if a.endswith(":subsidy")) == after["platform"]
    assert ledger.trial_balance() == 0
    assert ledger.entry(f"order:{order.id}:refund:rf1") is not None
    assert ledger.entry(f"order:{order.id}:refund:rf1-again") is None
