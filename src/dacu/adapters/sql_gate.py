"""The SQL stock gate, the embedded default: conditional UPDATEs in one transaction.

`UPDATE … SET stock_left = stock_left - n WHERE stock_left >= n` cannot
oversell; the buyer's count moves by a conditional upsert below the limit;
the reservation is unique per (sale, request), so a retried request finds
its reservation instead of taking more stock.
"""

import uuid
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dacu.adapters.sql import count_up_to
from dacu.adapters.tables import flash_counts, flash_reservations, flash_sales
from dacu.domain.flashsale import Decision, FlashSale, Outcome


class _Refused(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


class SqlStockGate:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(self, sale: FlashSale) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(flash_sales).values(
                    id=sale.id,
                    sku=sale.sku,
                    starts_at=sale.starts_at,
                    ends_at=sale.ends_at,
                    stock_left=sale.stock,
                    limit_per_user=sale.limit_per_user,
                )
            )

    def attempt(
        self, sale_id: str, user_id: str, request_id: str, qty: int, now: datetime
    ) -> Decision:
        try:
            with self._engine.begin() as connection:
                earlier = _reservation(connection, sale_id, request_id)
                if earlier is not None:
                    return Decision(Outcome.ACCEPTED, earlier)
                sale = connection.execute(
                    select(flash_sales).where(flash_sales.c.id == sale_id)
                ).one_or_none()
                if sale is None:
                    return Decision(Outcome.UNKNOWN_SALE)
                if now < sale.starts_at:
                    return Decision(Outcome.NOT_STARTED)
                if now > sale.ends_at:
                    return Decision(Outcome.ENDED)
                taken = connection.execute(
                    update(flash_sales)
                    .where(flash_sales.c.id == sale_id, flash_sales.c.stock_left >= qty)
                    .values(stock_left=flash_sales.c.stock_left - qty)
                )
                if taken.rowcount != 1:
                    raise _Refused(Outcome.SOLD_OUT)
                if not _count(connection, sale_id, user_id, qty, sale.limit_per_user):
                    raise _Refused(Outcome.OVER_LIMIT)
                reservation = uuid.uuid4().hex
                connection.execute(
                    insert(flash_reservations).values(
                        id=reservation,
                        sale_id=sale_id,
                        request_id=request_id,
                        user_id=user_id,
                        qty=qty,
                        at=now,
                    )
                )
        except _Refused as refused:
            return Decision(refused.outcome)  # the transaction rolled back: nothing taken
        except IntegrityError:
            with self._engine.connect() as connection:
                raced = _reservation(connection, sale_id, request_id)
            if raced is None:
                raise
            return Decision(Outcome.ACCEPTED, raced)
        return Decision(Outcome.ACCEPTED, reservation)

    def release(self, sale_id: str, request_id: str) -> bool:
        with self._engine.begin() as connection:
            row = connection.execute(
                select(flash_reservations).where(
                    flash_reservations.c.sale_id == sale_id,
                    flash_reservations.c.request_id == request_id,
                )
            ).one_or_none()
            if row is None:
                return False
            gone = connection.execute(
                delete(flash_reservations).where(flash_reservations.c.id == row.id)
            )
            if gone.rowcount != 1:
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


def _reservation(connection: Connection, sale_id: str, request_id: str) -> str | None:
    found = connection.scalar(
        select(flash_reservations.c.id).where(
            flash_reservations.c.sale_id == sale_id,
            flash_reservations.c.request_id == request_id,
        )
    )
    return None if found is None else str(found)


def _count(connection: Connection, sale_id: str, user_id: str, qty: int, limit: int) -> bool:
    key = {"sale_id": sale_id, "user_id": user_id}
    return count_up_to(connection, flash_counts, key, "bought", qty, limit)
