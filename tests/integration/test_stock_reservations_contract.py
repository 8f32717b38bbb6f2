"""The StockReservations contract: every implementation gives the same answers, none sells
more than its stock under a storm, and each order takes its units once.

Implementations are listed in MAKERS: Redis alone, Redis over the database's
book (as the platform wires it), SQL on SQLite and PostgreSQL, and the
in-memory fake of the unit tests; another joins every test with one entry.
"""

import random
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from dacu.adapters.redis_connect import redis_client
from dacu.adapters.redis_stock import RedisStockReservations
from dacu.adapters.stock_store import SqlStockReservations
from dacu.domain.flashsale import GateUnavailable
from dacu.domain.orders import SoldOut
from dacu.services.ports.stock import StockReservations
from tests.fakes.stock import FakeStock
from tests.integration.conftest import (
    CLUSTER_URL,
    NO_CLUSTER,
    NO_POSTGRES,
    NO_REDIS,
    POSTGRES_URL,
    REDIS_URL,
    postgres_engine,
    sqlite_engine,
)

pytestmark = pytest.mark.integration


@contextmanager
def redis_reservations(
    _: Path, load: Callable[[str], int | None] = lambda _: None, shards: int = 1
) -> Iterator[RedisStockReservations]:
    """Redis under a key prefix of its own; a database that tracks nothing unless told."""
    assert REDIS_URL is not None
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    try:
        yield RedisStockReservations(client, load, prefix, shards=shards)
    finally:
        for key in client.scan_iter(f"{{{prefix}:stock*"):
            client.delete(key)
        client.close()


@contextmanager
def sharded_reservations(folder: Path) -> Iterator[RedisStockReservations]:
    """The stock in 4 shards (as on a Redis Cluster), on one server."""
    with redis_reservations(folder, shards=4) as made:
        yield made


@contextmanager
def cluster_reservations(_: Path) -> Iterator[RedisStockReservations]:
    """The stock in 16 shards over a Redis Cluster's primaries."""
    assert CLUSTER_URL is not None
    client = redis_client(CLUSTER_URL)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    made = RedisStockReservations(client, lambda _: None, prefix, shards=16)
    try:
        yield made
    finally:
        for shard in range(16):
            client.delete(made.available_at(shard))
        client.close()


@contextmanager
def sql_reservations(folder: Path) -> Iterator[SqlStockReservations]:
    with sqlite_engine(folder) as engine:
        yield SqlStockReservations(engine)


@contextmanager
def postgres_reservations(_: Path) -> Iterator[SqlStockReservations]:
    with postgres_engine() as engine:
        yield SqlStockReservations(engine)


@contextmanager
def booked_reservations(folder: Path) -> Iterator[RedisStockReservations]:
    """Redis figures over the database's book, as the platform wires them with Redis."""
    assert REDIS_URL is not None
    client = redis.Redis.from_url(REDIS_URL)
    with sqlite_engine(folder) as engine:
        book = SqlStockReservations(engine)
        with redis_reservations(folder, book.available) as made:
            yield RedisStockReservations(client, book.available, made.prefix, book)
    client.close()


@contextmanager
def fake_reservations(_: Path) -> Iterator[FakeStock]:
    yield FakeStock()


Maker = Callable[[Path], AbstractContextManager[StockReservations]]
MAKERS: dict[str, tuple[Maker, str | None]] = {  # name: (maker, why it is skipped, if it is)
    "redis": (redis_reservations, None if REDIS_URL else NO_REDIS),
    "redis-over-sql": (booked_reservations, None if REDIS_URL else NO_REDIS),
    "redis-sharded": (sharded_reservations, None if REDIS_URL else NO_REDIS),
    "redis-cluster": (cluster_reservations, None if CLUSTER_URL else NO_CLUSTER),
    "sqlite": (sql_reservations, None),
    "postgresql": (postgres_reservations, None if POSTGRES_URL else NO_POSTGRES),
    "fake": (fake_reservations, None),
}


@pytest.fixture(
    params=[
        pytest.param(name, marks=pytest.mark.skipif(why is not None, reason=why or ""))
        for name, (_, why) in MAKERS.items()
    ]
)
def stock(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StockReservations]:
    with MAKERS[request.param][0](tmp_path) as made:
        yield made


def test_a_sku_without_tracked_stock_is_not_limited(stock):
    assert stock.available("FREE") is None
    stock.reserve("o1", [("FREE", 1_000_000)])
    assert stock.available("FREE") is None


def test_reserving_takes_every_line(stock):
    stock.set_stock("A", 10)
    stock.set_stock("B", 5)
    stock.reserve("o1", [("A", 3), ("B", 5), ("FREE", 2)])
    assert (stock.available("A"), stock.available("B")) == (7, 0)


def test_one_short_line_takes_nothing_at_all(stock):
    stock.set_stock("A", 10)
    stock.set_stock("B", 1)
    with pytest.raises(SoldOut):
        stock.reserve("o1", [("A", 3), ("B", 2)])
    assert (stock.available("A"), stock.available("B")) == (10, 1)
    stock.reserve("o1", [("A", 3), ("B", 1)])  # a refused order id may try again
    assert (stock.available("A"), stock.available("B")) == (7, 0)


def test_a_sku_on_two_lines_is_taken_for_both(stock):
    stock.set_stock("A", 3)
    with pytest.raises(SoldOut):
        stock.reserve("o1", [("A", 2), ("A", 2)])
    stock.reserve("o2", [("A", 2), ("A", 1)])
    assert stock.available("A") == 0


def test_reserving_again_for_the_same_order_takes_nothing_more(stock):
    stock.set_stock("A", 10)
    stock.reserve("o1", [("A", 4)])
    stock.reserve("o1", [("A", 4)])
    assert stock.available("A") == 6


def test_releasing_gives_back_once(stock):
    stock.set_stock("A", 10)
    stock.reserve("o1", [("A", 4)])
    stock.reserve("o2", [("A", 1)])
    stock.release("o1")
    stock.release("o1")
    stock.release("never-reserved")
    assert stock.available("A") == 9
    stock.reserve("o1", [("A", 4)])  # given back whole, the order may reserve anew
    assert stock.available("A") == 5
    stock.reserve("o1", [("A", 4)])  # and holds it once
    assert stock.available("A") == 5


def test_set_stock_replaces_the_figure(stock):
    stock.set_stock("A", 10)
    stock.reserve("o1", [("A", 4)])
    stock.set_stock("A", 2)
    assert stock.available("A") == 2
    with pytest.raises(SoldOut):
        stock.reserve("o2", [("A", 3)])


def test_a_storm_never_sells_more_than_the_stock(stock):
    stock.set_stock("A", 40)
    stock.set_stock("B", 25)
    orders = [(f"o{i}", [("A", 1 + i % 2), ("B", 1 + i % 3), ("FREE", 1)]) for i in range(300)]
    random.Random(7).shuffle(orders)

    def place(order: tuple[str, list[tuple[str, int]]]) -> bool:
        try:
            stock.reserve(*order)
        except SoldOut:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        placed = [order for order, ok in zip(orders, pool.map(place, orders), strict=True) if ok]
        list(pool.map(place, placed))  # retries of the placed orders take nothing more
    taken_a = sum(qty for _, lines in placed for sku, qty in lines if sku == "A")
    taken_b = sum(qty for _, lines in placed for sku, qty in lines if sku == "B")
    assert taken_a <= 40
    assert taken_b <= 25
    assert (stock.available("A"), stock.available("B")) == (40 - taken_a, 25 - taken_b)
    assert min(stock.available("A"), stock.available("B")) < 3  # it did sell out
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(stock.release, [order_id for order_id, _ in placed] * 2))
    assert (stock.available("A"), stock.available("B")) == (40, 25)


def test_one_order_reserved_from_many_threads_at_once_takes_once(stock):
    stock.set_stock("A", 100)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda _: stock.reserve("o1", [("A", 7)]), range(64)))
        assert stock.available("A") == 93
        list(pool.map(lambda _: stock.release("o1"), range(64)))
    assert stock.available("A") == 100


# Redis's own duties: figures rebuilt from the database, and failing closed.

needs_redis = pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)


@needs_redis
def test_redis_rebuilds_a_missing_figure_from_the_database(tmp_path):
    database = {"A": 5}
    asked: list[str] = []

    def load(sku: str) -> int | None:
        asked.append(sku)
        return database.get(sku)

    with redis_reservations(tmp_path, load) as stock:
        stock.reserve("o1", [("A", 2), ("FREE", 9)])
        assert (stock.available("A"), stock.available("FREE")) == (3, None)
        assert sorted(asked) == ["A", "FREE"]  # once each: the figures stay in Redis
        with pytest.raises(SoldOut):
            stock.reserve("o2", [("A", 4)])
        database["A"] = 4  # the database, its order now written: 5 - 1 (another's reservation)
        stock.forget(["A"])
        assert stock.available("A") == 4


@needs_redis
def test_redis_never_overwrites_a_figure_others_have_taken_from(tmp_path):
    with redis_reservations(tmp_path, lambda _: 10) as stock:
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda i: stock.reserve(f"o{i}", [("A", 1)]), range(10)))
        assert stock.available("A") == 0  # rebuilt once, by whichever came first
        with pytest.raises(SoldOut):
            stock.reserve("o-late", [("A", 1)])


def test_redis_out_of_reach_sells_nothing():
    client = redis.Redis(port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    stock = RedisStockReservations(client, lambda _: 1_000, "test-down")
    with pytest.raises(GateUnavailable):
        stock.reserve("o1", [("A", 1)])
    with pytest.raises(GateUnavailable):
        stock.available("A")
    with pytest.raises(GateUnavailable):
        stock.release("o1")
