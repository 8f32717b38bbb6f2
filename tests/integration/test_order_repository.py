"""The SQL order repository, unit of work and stock reservations on real SQLite and
PostgreSQL: optimistic saves, rollbacks, and reservations that never oversell."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from dacu.adapters.stock_store import SqlStockReservations
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.domain.errors import ConcurrentChange
from dacu.domain.orders import OrderStatus, SoldOut, UnknownOrder, order_from_quote
from dacu.domain.pricing import price
from tests.unit.builders import CUSTOMER, NOW, cart, line

pytestmark = pytest.mark.integration


def an_order(order_id: str = "o1"):
    quote = price(cart(line("A", 1000, qty=2), line("B", 500)), CUSTOMER, [], [], NOW)
    return order_from_quote(order_id, "u1", quote, NOW, timedelta(minutes=15))


def test_an_order_is_stored_once_per_key_and_read_back_at_version_one(engine):
    with SqlUnitOfWork(engine) as uow:
        assert uow.orders.add(an_order(), "k1", "h1")
        assert not uow.orders.add(an_order("o2"), "k1", "h2")  # the key placed one already
    with SqlUnitOfWork(engine) as uow:
        stored = uow.orders.get("o1")
        assert uow.orders.find("u1", "k1") == (stored, "h1")
        with pytest.raises(UnknownOrder):
            uow.orders.get("o2")
    assert stored == replace(an_order(), version=1)


def test_a_save_from_a_stale_version_is_a_concurrent_change(engine):
    with SqlUnitOfWork(engine) as uow:
        uow.orders.add(an_order(), "k1", "h1")
    with SqlUnitOfWork(engine) as uow:
        loaded = uow.orders.get("o1")
    with SqlUnitOfWork(engine) as uow:
        paid = uow.orders.save(loaded.pay(NOW))
    assert paid.version == 2
    with pytest.raises(ConcurrentChange), SqlUnitOfWork(engine) as uow:
        uow.orders.save(loaded.cancel(NOW))
    with SqlUnitOfWork(engine) as uow:
        assert uow.orders.get("o1").status is OrderStatus.PAID


def test_leaving_the_unit_of_work_by_an_error_writes_nothing(engine):
    def place_then_fail() -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.orders.add(an_order(), "k1", "h1")
            raise RuntimeError("the payment channel fell over")

    with pytest.raises(RuntimeError):
        place_then_fail()
    with SqlUnitOfWork(engine) as uow:
        assert uow.orders.find("u1", "k1") is None


def test_reserving_twice_takes_once_and_releasing_twice_gives_back_once(engine):
    stock = SqlStockReservations(engine)
    stock.set_stock("A", 5)
    stock.reserve("o1", [("A", 2), ("UNTRACKED", 9)])
    stock.reserve("o1", [("A", 2)])
    assert stock.available("A") == 3
    assert stock.available("UNTRACKED") is None
    with pytest.raises(SoldOut):
        stock.reserve("o2", [("A", 2), ("A", 2)])  # lines of one SKU add up
    assert stock.available("A") == 3
    stock.release("o1")
    stock.release("o1")
    stock.release("never-reserved")
    assert stock.available("A") == 5
    # given back whole, the order may reserve anew (a failed checkout retried by id)
    stock.reserve("o1", [("A", 1)])
    stock.reserve("o1", [("A", 1)])
    assert stock.available("A") == 4


def test_racing_reservations_never_oversell_and_take_every_sku_or_none(engine):
    stock = SqlStockReservations(engine)
    stock.set_stock("A", 10)
    stock.set_stock("B", 30)

    def attempt(i: int) -> bool:
        lines = [("B", 1), ("A", 1)] if i % 2 else [("A", 1), ("B", 1)]
        try:
            stock.reserve(f"o{i}", lines)
        except SoldOut:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(40)))
    assert outcomes.count(True) == 10
    assert (stock.available("A"), stock.available("B")) == (0, 20)


def test_the_same_order_reserving_from_many_threads_takes_once(engine):
    stock = SqlStockReservations(engine)
    stock.set_stock("A", 100)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: stock.reserve("o1", [("A", 3)]), range(16)))
    assert stock.available("A") == 97
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: stock.release("o1"), range(16)))
    assert stock.available("A") == 100
