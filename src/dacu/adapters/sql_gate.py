"""The SQL stock gate, the embedded default: conditional UPDATEs in one transaction.

`UPDATE … SET stock_left = stock_left - n WHERE stock_left >= n` cannot
oversell; the buyer's count moves by a conditional upsert below the limit;
the hold is unique per (sale, request), so a retried request finds its hold
instead of taking more stock. The order is written in the same transaction,
so this backend needs no writers. Rate counters are committed on their own,
before the decision, so a refused attempt still counts.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dacu.adapters.flash_rows import define_sale, definition_values
from dacu.adapters.sql import count_up_to, put_row
from dacu.adapters.tables import (
    flash_counts,
    flash_orders,
    flash_rates,
    flash_reservations,
    flash_sales,
)
from dacu.domain.flashsale import Decision, FlashSale, Hold, HoldState, Outcome, check_attempt


class _Refused(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


class SqlStockGate:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(self, sale: FlashSale) -> bool:
        with self._engine.begin() as connection:
            return define_sale(connection, sale)

    def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
    ) -> Decision:
        check_attempt(user_id, request_id, qty)
        with self._engine.begin() as connection:
            sale = connection.execute(
                select(flash_sales).where(flash_sales.c.id == sale_id)
            ).one_or_none()
            if sale is None:
                return Decision(Outcome.UNKNOWN_SALE)
            limited = _rate_limited(connection, sale, user_id, ip, now)
        if limited is not None:
            return Decision(limited)
        try:
            with self._engine.begin() as connection:
                earlier = _held(connection, sale_id, request_id)
                if earlier is not None:
                    return _again(earlier, user_id)
                if now < sale.starts_at:
                    return Decision(Outcome.NOT_STARTED)
                if now > sale.ends_at:
                    return Decision(Outcome.ENDED)
                return _take(connection, sale, user_id, request_id, qty, now)
        except _Refused as refused:
            return Decision(refused.outcome)  # the transaction rolled back: nothing taken
        except IntegrityError:
            with self._engine.connect() as connection:
                raced = _held(connection, sale_id, request_id)
            if raced is None:
                raise
            return _again(raced, user_id)

    def release(self, sale_id: str, request_id: str) -> bool:
        with self._engine.begin() as connection:
            row = _held(connection, sale_id, request_id)
            if row is None or not _move(connection, row, HoldState.HELD, HoldState.RELEASED):
                return False
            connection.execute(
                update(flash_sales)
                .where(flash_sales.c.id == sale_id)
                .values(stock_left=flash_sales.c.stock_left + row.qty)
            )
            connection.execute(
                update(flash_counts)
                .where(flash_counts.c.sale_id == sale_id, flash_counts.c.user_id == row.user_id)
                .values(bought=flash_counts.c.bought - row.qty)
            )
        return True

    def settle(self, sale_id: str, request_id: str) -> bool:
        with self._engine.begin() as connection:
            row = _held(connection, sale_id, request_id)
            if row is None:
                return False
            return row.state == HoldState.PAID or _move(
                connection, row, HoldState.HELD, HoldState.PAID
            )

    def restock(self, sale_id: str, qty: int) -> int:
        if qty < 1:
            raise ValueError("qty: must be at least 1")
        with self._engine.begin() as connection:
            now_on_sale = connection.scalar(
                update(flash_sales)
                .where(flash_sales.c.id == sale_id)
                .values(stock_left=flash_sales.c.stock_left + qty)
                .returning(flash_sales.c.stock_left)
            )
        if now_on_sale is None:
            raise KeyError(sale_id)
        return int(now_on_sale)

    def remaining(self, sale_id: str) -> int:
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(flash_sales.c.stock_left).where(flash_sales.c.id == sale_id)
            )
        return int(found or 0)

    def bought(self, sale_id: str, user_id: str) -> int:
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(flash_counts.c.bought).where(
                    flash_counts.c.sale_id == sale_id, flash_counts.c.user_id == user_id
                )
            )
        return int(found or 0)

    def buyers(self, sale_id: str) -> dict[str, int]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(flash_counts.c.user_id, flash_counts.c.bought).where(
                    flash_counts.c.sale_id == sale_id, flash_counts.c.bought > 0
                )
            ).all()
        return {user: int(n) for user, n in rows}

    def hold(self, sale_id: str, request_id: str) -> Hold | None:
        with self._engine.connect() as connection:
            row = _held(connection, sale_id, request_id)
        return None if row is None else _hold(row)

    def holds(self, sale_id: str) -> list[Hold]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(flash_reservations).where(flash_reservations.c.sale_id == sale_id)
            ).all()
        return [_hold(row) for row in rows]

    def repair(self, sale: FlashSale, holds: list[Hold]) -> int:
        with self._engine.begin() as connection:
            define_sale(connection, sale)
            for hold in holds:
                put_row(
                    connection,
                    flash_reservations,
                    {"sale_id": sale.id, "request_id": hold.request_id},
                    {
                        "id": hold.reservation,
                        "user_id": hold.user_id,
                        "qty": hold.qty,
                        "at": hold.accepted_at,
                        "state": hold.state.value,
                    },
                )
            live = flash_reservations.c.state != HoldState.RELEASED.value
            counts = connection.execute(
                select(flash_reservations.c.user_id, func.sum(flash_reservations.c.qty))
                .where(flash_reservations.c.sale_id == sale.id, live)
                .group_by(flash_reservations.c.user_id)
            ).all()
            connection.execute(delete(flash_counts).where(flash_counts.c.sale_id == sale.id))
            if counts:
                connection.execute(
                    insert(flash_counts),
                    [{"sale_id": sale.id, "user_id": u, "bought": int(n)} for u, n in counts],
                )
            on_sale = sale.stock - sum(int(n) for _, n in counts)
            connection.execute(
                update(flash_sales)
                .where(flash_sales.c.id == sale.id)
                .values(**definition_values(sale), stock_left=max(on_sale, 0))
            )
        return on_sale


def _rate_limited(
    connection: Connection, sale: Any, user_id: str, ip: str, now: datetime
) -> Outcome | None:
    second = int(now.timestamp())
    for who, limit, outcome in (
        (f"u:{user_id}", sale.user_rate, Outcome.USER_RATE_LIMITED),
        (f"i:{ip}", sale.ip_rate, Outcome.IP_RATE_LIMITED),
    ):
        if who == "i:":
            continue
        key = {"sale_id": sale.id, "who": who, "second": second}
        if not count_up_to(connection, flash_rates, key, "hits", 1, limit):
            return outcome
    return None


def _take(
    connection: Connection, sale: Any, user_id: str, request_id: str, qty: int, now: datetime
) -> Decision:
    taken = connection.execute(
        update(flash_sales)
        .where(flash_sales.c.id == sale.id, flash_sales.c.stock_left >= qty)
        .values(stock_left=flash_sales.c.stock_left - qty)
    )
    if taken.rowcount != 1:
        raise _Refused(Outcome.SOLD_OUT)
    key = {"sale_id": sale.id, "user_id": user_id}
    if not count_up_to(connection, flash_counts, key, "bought", qty, sale.limit_per_user):
        raise _Refused(Outcome.OVER_LIMIT)
    reservation = uuid.uuid4().hex
    held = {"sale_id": sale.id, "request_id": request_id, "user_id": user_id, "qty": qty}
    connection.execute(insert(flash_reservations).values(**held, id=reservation, at=now))
    connection.execute(insert(flash_orders).values(**held, entry=reservation, accepted_at=now))
    return Decision(Outcome.ACCEPTED, reservation)


def _held(connection: Connection, sale_id: str, request_id: str) -> Any:
    return connection.execute(
        select(flash_reservations).where(
            flash_reservations.c.sale_id == sale_id,
            flash_reservations.c.request_id == request_id,
        )
    ).one_or_none()


def _again(row: Any, user_id: str) -> Decision:
    """The answer to a request id seen before."""
    if row.user_id != user_id:
        return Decision(Outcome.REQUEST_TAKEN)
    if row.state == HoldState.RELEASED:
        return Decision(Outcome.RELEASED)
    return Decision(Outcome.ACCEPTED, str(row.id))


def _move(connection: Connection, row: Any, frm: HoldState, to: HoldState) -> bool:
    moved = connection.execute(
        update(flash_reservations)
        .where(flash_reservations.c.id == row.id, flash_reservations.c.state == frm.value)
        .values(state=to.value)
    )
    return moved.rowcount == 1


def _hold(row: Any) -> Hold:
    return Hold(row.request_id, str(row.id), row.user_id, row.qty, HoldState(row.state), row.at)
