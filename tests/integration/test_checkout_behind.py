"""Orders taken in by Redis and written behind, on real Redis and real databases: what a
customer sees before the writers come, and what the writers leave in the database."""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from dacu.adapters.checkout_writer import CheckoutWriter
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.tables import orders, stock, stock_reservations
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.access import Role
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.coupons import Claimant
from dacu.domain.errors import IdempotencyConflict
from dacu.domain.orders import OrderStatus, SoldOut
from dacu.entrypoints.api import create_app
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import REDIS, REDIS_CLUSTER, intake_of, stock_example_goods
from tests.integration.http import serving

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WARM_UP = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
COAT = Cart((CartLine("A-COAT", "north-wear", 45900, 1, "apparel"),))
BIG = Cart(
    (
        CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),
        CartLine("A-COAT", "north-wear", 45900, 1, "apparel"),
    )
)


@pytest.fixture(params=[REDIS, REDIS_CLUSTER])
def platform(request: pytest.FixtureRequest, engine) -> Iterator[Platform]:
    with intake_of(request.param) as (url, prefix):
        made = bootstrap(engine, redis_url=url, redis_prefix=prefix)
        document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
        made.campaigns.apply(
            *load_campaign(json.loads(json.dumps(document, default=str))), "ops", WARM_UP
        )
        assert isinstance(made.intake, RedisOrderIntake)
        yield made


def writer(platform: Platform, name: str = "w1", idle_ms: int = 30_000) -> CheckoutWriter:
    assert isinstance(platform.intake, RedisOrderIntake)
    return CheckoutWriter(platform.intake.client, platform.intake, name, idle_ms)


def in_db(platform: Platform, table=orders) -> int:
    with platform.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def test_an_order_taken_in_is_the_customers_before_it_is_written(platform):
    buyer = Customer("u-1")
    order = platform.orders.checkout(COAT, buyer, "k1", BURST)
    assert in_db(platform) == 0
    assert platform.orders.get(order.id) == order
    assert platform.orders.find("u-1", "k1") == order
    assert platform.orders.checkout(COAT, buyer, "k1", BURST + timedelta(seconds=3)) == order
    with pytest.raises(IdempotencyConflict):
        platform.orders.checkout(BIG, buyer, "k1", BURST)
    assert writer(platform).drain() == 1
    assert in_db(platform) == 1
    assert platform.orders.get(order.id) == order


def test_paying_before_the_writers_come_writes_the_order_through_once(platform):
    order = platform.orders.checkout(COAT, Customer("u-1"), "k1", BURST)
    paid = platform.orders.pay(order.id, BURST + timedelta(minutes=1))
    assert paid.status is OrderStatus.PAID
    assert writer(platform).drain() == 1  # the entry is acknowledged, nothing written twice
    assert in_db(platform) == 1
    assert platform.orders.get(order.id).status is OrderStatus.PAID


def test_a_writer_that_died_before_acknowledging_is_taken_over_and_writes_once(platform):
    stock_port = platform.stock
    stock_port.set_stock("A-COAT", 5)
    taken = [platform.orders.checkout(COAT, Customer(f"u-{i}"), f"k{i}", BURST) for i in range(3)]
    client = platform.intake.client
    dead = writer(platform, "dead")
    dead.join()
    intake = platform.intake
    assert isinstance(intake, RedisOrderIntake)
    read = client.xreadgroup("checkout-writers", "dead", {intake.stream: ">"}, count=10)
    entries = read[0][1]
    intake.write([e[1][b"order"].decode() for e in entries])  # written, then it died
    heir = writer(platform, "heir", idle_ms=0)
    assert heir.drain() == 3
    assert in_db(platform) == 3
    assert in_db(platform, stock_reservations) == 3
    with platform.engine.connect() as connection:
        left = connection.scalar(select(stock.c.available).where(stock.c.sku == "A-COAT"))
    assert left == 2 == stock_port.available("A-COAT")
    assert {o.id for o in taken} == {platform.orders.get(o.id).id for o in taken}


def test_a_cancelled_order_gives_back_its_stock_and_coupon_before_and_after_writing(platform):
    platform.stock.set_stock("A-COAT", 1)
    coupon = platform.coupons.claim("warm-up-300-30", Claimant("u-1"), "c1", WARM_UP)
    order = platform.orders.checkout(BIG, Customer("u-1"), "k1", BURST)
    assert order.coupons == (coupon.id,)
    # a second order at once cannot have the coupon, nor the last coat
    again = BIG
    with pytest.raises(SoldOut):
        platform.orders.checkout(again, Customer("u-1"), "k2", BURST)
    phone = Cart((CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),))
    second = platform.orders.checkout(phone, Customer("u-1"), "k3", BURST)
    assert second.coupons == ()  # the quote left out the coupon the first order holds
    platform.orders.cancel(order.id, BURST + timedelta(minutes=1))
    assert platform.stock.available("A-COAT") == 1
    third = platform.orders.checkout(BIG, Customer("u-1"), "k4", BURST)
    assert third.coupons == (coupon.id,)
    writer(platform).drain()
    assert [c.status for c in platform.coupons.wallet("u-1")] == ["locked"]
    assert platform.stock.available("A-COAT") == 0


def test_a_figure_lost_from_redis_is_rebuilt_without_the_units_unwritten_orders_hold(platform):
    platform.stock.set_stock("A-COAT", 10)

    def buy(i: int) -> str:
        try:
            platform.orders.checkout(COAT, Customer(f"u-{i}"), f"k{i}", BURST)
        except SoldOut:
            return "sold_out"
        return "placed"

    for i in range(3):
        buy(i)
    platform.stock.forget(["A-COAT"])
    assert platform.stock.available("A-COAT") == 7
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(buy, range(3, 30)))
    assert outcomes.count("placed") == 7
    writer(platform).drain()
    platform.stock.forget(["A-COAT"])
    assert platform.stock.available("A-COAT") == 0
    assert in_db(platform) == 10


def test_a_key_the_database_knows_for_another_order_is_refused_by_the_writer(platform):
    platform.stock.set_stock("A-COAT", 3)
    first = platform.orders.checkout(COAT, Customer("u-1"), "k1", BURST)
    writer(platform).drain()
    client = platform.intake.client
    for key in client.scan_iter(f"*{platform.redis_prefix}*:key:*"):
        client.delete(key)  # Redis forgot the key (lost, or past its week)
    second = platform.orders.checkout(COAT, Customer("u-1"), "k1", BURST)
    assert second.id != first.id
    writer(platform).drain()
    assert in_db(platform) == 1
    assert platform.stock.available("A-COAT") == 2


def test_an_api_process_writes_behind_what_it_took_in_without_any_worker(platform):
    """`dacu serve` alone: every 201 is in the database moments later."""
    token = platform.principals.issue("u-7", Role.CONSUMER, frozenset(), WARM_UP)
    stock_example_goods(platform)
    platform.stock.set_stock("A-COAT", 100)
    item = {"sku": "A-COAT"}
    created = []
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:
        for n in range(12):
            answer = client.post(
                "/v1/orders",
                json={"cart": {"items": [item | {"qty": 1 + n % 2}]}},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"k{n}"},
            )
            assert answer.status_code == 201, answer.text
            created.append(answer.json()["id"])
        deadline = time.monotonic() + 10
        while in_db(platform) < len(created) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert in_db(platform) == len(created)
        assert (
            client.get(
                f"/v1/orders/{created[0]}", headers={"Authorization": f"Bearer {token}"}
            ).json()["status"]
            == "pending_payment"
        )
    assert platform.stock.available("A-COAT") == 100 - 18
