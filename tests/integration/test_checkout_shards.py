"""The checkout's stock in shards on a Redis Cluster: SKUs of different shops on different
slots and nodes, orders across shards held shard by shard, and nothing oversold or
leaked when a storm of carts over several shops runs at once (on one Redis too)."""

import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dacu.adapters.checkout_writer import CheckoutWriter
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_stock import RedisStockReservations
from dacu.adapters.tables import orders
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.flashsale import GateUnavailable
from dacu.domain.orders import SoldOut
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import REDIS, REDIS_CLUSTER, intake_of

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WARM_UP = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
GOODS = {  # sku: (shop, price, category)
    "P-PHONE": ("digital-flagship", 399900, "digital"),
    "E-BUDS": ("digital-flagship", 49900, "digital"),
    "A-COAT": ("north-wear", 45900, "apparel"),
    "A-SCARF": ("north-wear", 12900, "apparel"),
    "H-KETTLE": ("home-goods", 19900, "appliances"),
    "K-RICE": ("home-goods", 8900, "food"),
}


def made(engine, kind: str) -> Iterator[Platform]:
    with intake_of(kind) as (url, prefix):
        platform = bootstrap(engine, redis_url=url, redis_prefix=prefix)
        document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
        platform.campaigns.apply(
            *load_campaign(json.loads(json.dumps(document, default=str))), "ops", WARM_UP
        )
        assert isinstance(platform.intake, RedisOrderIntake)
        yield platform
        platform.intake.client.close()


@pytest.fixture(params=[REDIS, REDIS_CLUSTER])
def platform(request: pytest.FixtureRequest, engine) -> Iterator[Platform]:
    yield from made(engine, request.param)


@pytest.fixture(params=[REDIS_CLUSTER])
def cluster(request: pytest.FixtureRequest, engine) -> Iterator[Platform]:
    yield from made(engine, request.param)


def line(sku: str) -> CartLine:
    shop, price, category = GOODS[sku]
    return CartLine(sku, shop, price, 1, category)


def parts(platform: Platform) -> tuple[RedisStockReservations, RedisOrderIntake]:
    stock, intake = platform.stock, platform.intake
    assert isinstance(stock, RedisStockReservations)
    assert isinstance(intake, RedisOrderIntake)
    return stock, intake


def test_skus_of_different_shops_land_in_different_slots_and_nodes(cluster):
    stock, intake = parts(cluster)
    client = intake.client
    assert stock.shards > 1
    for sku in GOODS:
        stock.set_stock(sku, 5)
        assert stock.available(sku) == 5
    slots = {sku: client.keyslot(stock.available_at(stock.shard_of(sku))) for sku in GOODS}
    assert len(set(slots.values())) >= 3
    nodes = {client.get_node_from_key(stock.available_at(n)).name for n in range(stock.shards)}
    assert len(nodes) == 3  # every primary carries some of the stock
    for sku in GOODS:  # each figure is in its own shard, and only there
        assert client.hget(stock.available_at(stock.shard_of(sku)), sku) == b"5"
    # an order across shops holds its lines in their shards, and is written with all
    cart = Cart(tuple(line(sku) for sku in GOODS))
    order = cluster.orders.checkout(cart, Customer("u-1"), "k1", BURST)
    held = {client.keyslot(stock.record_key(order.id, stock.shard_of(s))) for s in GOODS}
    assert len(held) >= 3
    CheckoutWriter(client, intake, "w1", 0).drain()
    assert [stock.available(sku) for sku in GOODS] == [4] * len(GOODS)


def test_a_storm_of_carts_over_several_shops_never_oversells_nor_leaks(platform):
    stock, intake = parts(platform)
    for sku in GOODS:
        stock.set_stock(sku, 5)
    skus = sorted(GOODS)
    picks = random.Random(11)
    carts = [picks.sample(skus, picks.choice([1, 2, 3])) for _ in range(80)]

    def buy(i: int) -> list[str]:
        try:
            platform.orders.checkout(
                Cart(tuple(line(s) for s in carts[i])), Customer(f"u-{i}"), f"k{i}", BURST
            )
        except SoldOut:
            return []
        return carts[i]

    with ThreadPoolExecutor(max_workers=8) as pool:
        bought = list(pool.map(buy, range(len(carts))))
    sold = Counter(sku for cart in bought for sku in cart)
    for sku in GOODS:  # every unit is on sale or in an order placed, once
        assert sold[sku] <= 5
        assert stock.available(sku) + sold[sku] == 5
    for shard in range(1, stock.shards):  # no hold left waiting
        assert intake.client.zcard(intake.holds.pending_key(shard)) == 0
    CheckoutWriter(intake.client, intake, "w1", 0).drain()
    with platform.engine.connect() as connection:
        written = connection.scalar(select(func.count()).select_from(orders))
    assert written == sum(1 for cart in bought if cart)
    stock.forget(GOODS)  # the database's figures agree with Redis's
    assert {sku: stock.available(sku) for sku in GOODS} == {s: 5 - sold[s] for s in GOODS}


def away_sku(stock: RedisStockReservations) -> str:
    return next(sku for sku in GOODS if stock.shard_of(sku) != 0)


def test_a_hold_whose_order_never_came_is_given_back_and_the_order_refused(cluster):
    stock, intake = parts(cluster)
    sku = away_sku(stock)
    stock.set_stock(sku, 5)
    intake.holds.hold("o-dead", {stock.shard_of(sku): {sku: 2}})  # then the process died
    assert stock.available(sku) == 3
    stock.forget([sku])  # a figure rebuilt meanwhile leaves the held units out
    assert stock.available(sku) == 3
    assert intake.holds.sweep() == 0  # not yet past its deadline
    assert intake.holds.sweep(time.time() + 120) == 1
    assert stock.available(sku) == 5
    assert intake.holds.sweep(time.time() + 120) == 0  # given back once


def test_an_order_taken_in_whose_holds_were_not_confirmed_keeps_them(cluster, monkeypatch):
    stock, intake = parts(cluster)
    sku = away_sku(stock)
    stock.set_stock(sku, 5)

    def lost(*_: object) -> None:
        raise GateUnavailable("the answer was lost")

    monkeypatch.setattr(intake.holds, "confirm", lost)
    order = cluster.orders.checkout(Cart((line(sku),)), Customer("u-1"), "k1", BURST)
    monkeypatch.undo()
    assert intake.client.zcard(intake.holds.pending_key(stock.shard_of(sku))) == 1
    assert intake.holds.sweep(time.time() + 120) == 0  # the order came: the hold is its
    assert intake.client.zcard(intake.holds.pending_key(stock.shard_of(sku))) == 0
    assert stock.available(sku) == 4
    cluster.orders.cancel(order.id, BURST)
    assert stock.available(sku) == 5
