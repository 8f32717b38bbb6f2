"""Tracked stock in SQL, reserved per order (`StockReservations`).

A reservation is one transaction: for each tracked SKU, in sorted order (so two
orders never wait on each other's rows), a conditional `UPDATE stock SET
available = available - qty WHERE available >= qty` and a row in
`stock_reservations` keyed by (order, SKU). That key makes reserving twice for
one order take nothing more while it holds stock (the second attempt collides
and rolls back whole); `released`, set conditionally, makes releasing twice
give back once. An order whose reservation was given back may reserve anew.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, case, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dacu.adapters.sql import insert_for, put_row
from dacu.adapters.tables import stock, stock_reservations
from dacu.domain.orders import SoldOut


class SqlStockReservations:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._clock = clock or (lambda: datetime.now(UTC))

    def set_stock(self, sku: str, available: int) -> None:
        with self._engine.begin() as connection:
            put_row(connection, stock, {"sku": sku}, {"available": available})

    def forget(self, skus: Iterable[str]) -> None:
        return None  # the database's figures are the only ones

    def available(self, sku: str) -> int | None:
        with self._engine.connect() as connection:
            found = connection.scalar(select(stock.c.available).where(stock.c.sku == sku))
        return None if found is None else int(found)

    def reserve(self, order_id: str, lines: Sequence[tuple[str, int]]) -> None:
        wanted: Counter[str] = Counter()
        for sku, qty in lines:
            wanted[sku] += qty
        now = self._clock()
        while True:
            try:
                with self._engine.begin() as connection:
                    taken = [
                        {"order_id": order_id, "sku": sku, "qty": qty, "reserved_at": now}
                        for sku, qty in sorted(wanted.items())
                        if _take(connection, sku, qty)
                    ]
                    if taken:
                        # A second reservation of the order collides here and takes nothing.
                        connection.execute(insert(stock_reservations), taken)
                return
            except IntegrityError:
                if not self._forget_released(order_id):
                    return  # reserved before (or at once elsewhere): that reservation stands

    def _forget_released(self, order_id: str) -> bool:
        """Drop the order's reservation if all of it was given back (it may reserve anew)."""
        with self._engine.begin() as connection:
            held = stock_reservations.c.order_id == order_id
            live = connection.scalar(
                select(stock_reservations.c.sku).where(
                    held, stock_reservations.c.released.is_(False)
                )
            )
            if live is not None:
                return False
            connection.execute(delete(stock_reservations).where(held))
        return True

    def release(self, order_id: str) -> None:
        with self._engine.begin() as connection:
            held = connection.execute(
                select(stock_reservations.c.sku, stock_reservations.c.qty)
                .where(
                    stock_reservations.c.order_id == order_id,
                    stock_reservations.c.released.is_(False),
                )
                .order_by(stock_reservations.c.sku)
            ).all()
            for sku, qty in held:
                done = connection.execute(
                    update(stock_reservations)
                    .where(
                        stock_reservations.c.order_id == order_id,
                        stock_reservations.c.sku == sku,
                        stock_reservations.c.released.is_(False),
                    )
                    .values(released=True)
                )
                if done.rowcount == 1:
                    connection.execute(
                        update(stock)
                        .where(stock.c.sku == sku)
                        .values(available=stock.c.available + qty)
                    )


def _take(connection: Connection, sku: str, qty: int) -> bool:
    """Take `qty` of a tracked SKU; False if it is not tracked, SoldOut if too few are left."""
    done = connection.execute(
        update(stock)
        .where(stock.c.sku == sku, stock.c.available >= qty)
        .values(available=stock.c.available - qty)
    )
    if done.rowcount == 1:
        return True
    if connection.scalar(select(stock.c.sku).where(stock.c.sku == sku)) is not None:
        raise SoldOut(f"not enough {sku} left for {qty}")
    return False


def book_reservations(
    connection: Connection, taken: Sequence[tuple[str, str, int]], now: datetime
) -> None:
    """Book units Redis already took, as (order, SKU, qty), in the database's own figures.

    Each (order, SKU) is booked once, however often it is written; the stock
    falls once per SKU for the whole batch. The check that there were enough
    was Redis's: a figure the database cannot cover stops at zero.
    """
    if not taken:
        return
    rows = [{"order_id": o, "sku": s, "qty": q, "reserved_at": now} for o, s, q in taken]
    booked = connection.execute(
        insert_for(connection, stock_reservations)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(stock_reservations.c.sku, stock_reservations.c.qty)
    ).all()
    totals: Counter[str] = Counter()
    for sku, qty in booked:
        totals[sku] += qty
    for sku, qty in sorted(totals.items()):
        left = case((stock.c.available >= qty, stock.c.available - qty), else_=0)
        connection.execute(update(stock).where(stock.c.sku == sku).values(available=left))
