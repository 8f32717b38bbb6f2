"""Writers turn every accepted attempt into exactly one order, even when one dies."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from sqlalchemy import func, select

from dacu.adapters.order_writer import GROUP, OrderWriter
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.tables import flash_orders
from tests.integration.conftest import NO_REDIS, REDIS_URL
from tests.integration.test_stock_gate import NOW, sale

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)]


@pytest.fixture
def client():
    assert REDIS_URL is not None
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def prefix(client):
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def orders(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        rows = connection.scalar(select(func.count()).select_from(flash_orders))
        units = connection.scalar(select(func.coalesce(func.sum(flash_orders.c.qty), 0)))
    return int(rows or 0), int(units or 0)


def test_two_writers_side_by_side_write_each_accepted_attempt_once(engine, client, prefix):
    # given: a storm of 1,000 attempts on 100 units, and two writers running meanwhile
    gate = RedisStockGate(client, prefix)
    gate.open(sale(stock=100, limit=2))
    writers = [OrderWriter(client, engine, f"w{i}", prefix) for i in range(2)]
    writers[0].join("fs-20h")
    stop = threading.Event()

    def keep_writing(writer: OrderWriter) -> None:
        while not stop.is_set():
            writer.run_once("fs-20h")

    threads = [threading.Thread(target=keep_writing, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        decisions = list(
            pool.map(lambda i: gate.attempt("fs-20h", f"u{i % 300}", f"r{i}", 1, NOW), range(1000))
        )
    stop.set()
    for thread in threads:
        thread.join()
    # when: whatever is left is drained
    writers[1].drain("fs-20h")
    # then
    accepted = sum(d.accepted for d in decisions)
    assert accepted == 100
    assert orders(engine) == (100, 100)


def test_entries_of_a_dead_writer_are_taken_over_and_written_once(engine, client, prefix):
    gate = RedisStockGate(client, prefix)
    gate.open(sale(stock=20, limit=5))
    for i in range(20):
        assert gate.attempt("fs-20h", f"u{i % 4}", f"r{i}", 1, NOW).accepted
    dead = OrderWriter(client, engine, "dead", prefix)
    dead.join("fs-20h")
    # the dead writer read 12 entries and wrote 5 of them before it died, acking none
    stream = dead.stream("fs-20h")
    taken = client.xreadgroup(GROUP, "dead", {stream: ">"}, count=12)[0][1]
    dead.write("fs-20h", taken[:5])
    # a live writer takes the idle entries over and writes the rest
    alive = OrderWriter(client, engine, "alive", prefix, idle_ms=0)
    alive.drain("fs-20h")
    assert orders(engine) == (20, 20)
    assert client.xpending(stream, GROUP)["pending"] == 0
