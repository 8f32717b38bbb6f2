"""Flash sales in the system of record: definitions, stock added, orders' states.

Every change of state is a conditional UPDATE, so a sweeper and a payment
racing for the same order agree on one winner, and several workers may
sweep side by side.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update

from dacu.adapters.flash_rows import define_sale, sale_from_row
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import flash_orders, flash_rates, flash_sales, orders
from dacu.domain.flashsale import (
    ORDER_STATUS,
    PAID,
    RELEASED,
    RELEASING,
    RESERVED,
    FlashOrder,
    FlashSale,
    Hold,
)
from dacu.domain.orders import OrderStatus


class SqlFlashStore:
    """Sales and their orders (reminders: `SqlNotifications`; alerts: `SqlAlertStore`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # sales

    def define(self, sale: FlashSale) -> bool:
        with self._engine.begin() as connection:
            return define_sale(connection, sale)

    def get(self, sale_id: str) -> FlashSale | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(flash_sales).where(flash_sales.c.id == sale_id)
            ).one_or_none()
        return None if row is None else sale_from_row(row)

    def live(self, now: datetime, grace: timedelta = timedelta(hours=1)) -> list[FlashSale]:
        """Sales open now, or ended within `grace` (their holds may still be settling)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(flash_sales)
                .where(flash_sales.c.starts_at <= now, flash_sales.c.ends_at >= now - grace)
                .order_by(flash_sales.c.id)
            ).all()
        return [sale_from_row(row) for row in rows]

    def all(self) -> list[FlashSale]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(flash_sales).order_by(flash_sales.c.starts_at)).all()
        return [sale_from_row(row) for row in rows]

    def campaigns(self) -> dict[str, tuple[str, str]]:
        columns = (flash_sales.c.id, flash_sales.c.campaign_id, flash_sales.c.promotion_id)
        with self._engine.connect() as connection:
            rows = connection.execute(select(*columns)).all()
        return {row.id: (row.campaign_id, row.promotion_id) for row in rows}

    def add_stock(self, sale_id: str, qty: int, restock_at: datetime | None) -> bool:
        with self._engine.begin() as connection:
            done = connection.execute(
                update(flash_sales)
                .where(flash_sales.c.id == sale_id)
                .values(stock=flash_sales.c.stock + qty, restock_at=restock_at)
            )
        return done.rowcount == 1

    def expect_restock(self, sale_id: str, at: datetime | None) -> bool:
        with self._engine.begin() as connection:
            done = connection.execute(
                update(flash_sales).where(flash_sales.c.id == sale_id).values(restock_at=at)
            )
        return done.rowcount == 1

    # orders

    def orders(self, sale_id: str) -> list[FlashOrder]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(flash_orders).where(flash_orders.c.sale_id == sale_id)
            ).all()
        return [_order(row) for row in rows]

    def order(self, sale_id: str, request_id: str) -> FlashOrder | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(flash_orders).where(
                    flash_orders.c.sale_id == sale_id, flash_orders.c.request_id == request_id
                )
            ).one_or_none()
        return None if row is None else _order(row)

    def write_missing(self, sale_id: str, holds: list[Hold]) -> int:
        """Orders for holds that have none (from a stream or a gate); returns how many."""
        if not holds:
            return 0
        rows = [
            {
                "sale_id": sale_id,
                "request_id": hold.request_id,
                "entry": hold.reservation,
                "user_id": hold.user_id,
                "qty": hold.qty,
                "accepted_at": hold.accepted_at,
                "status": ORDER_STATUS[hold.state],
            }
            for hold in holds
        ]
        with self._engine.begin() as connection:
            done = connection.execute(
                insert_for(connection, flash_orders)
                .values(rows)
                .on_conflict_do_nothing()
                .returning(flash_orders.c.request_id)
            )
            return len(done.all())

    def move(
        self, sale_id: str, request_id: str, frm: tuple[str, ...], to: str, now: datetime
    ) -> bool:
        """Move an order from one of `frm` to `to`; False if another move won."""
        stamp = {PAID: {"paid_at": now}, RELEASED: {"released_at": now}}.get(to, {})
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(flash_orders)
                .where(
                    flash_orders.c.sale_id == sale_id,
                    flash_orders.c.request_id == request_id,
                    flash_orders.c.status.in_(frm),
                )
                .values(status=to, **stamp)
            )
        return moved.rowcount == 1

    def link(self, sale_id: str, request_id: str, order_id: str) -> None:
        """Name the full order the flash order became (once; the id never changes)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(flash_orders)
                .where(
                    flash_orders.c.sale_id == sale_id,
                    flash_orders.c.request_id == request_id,
                    flash_orders.c.order_id.is_(None),
                )
                .values(order_id=order_id)
            )

    def paid_unsettled(self, limit: int = 1000) -> list[FlashOrder]:
        """Reserved flash orders whose full order has been paid (by its provider's callback,
        or by finance): their holds are to be settled."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(flash_orders)
                .join(orders, orders.c.id == flash_orders.c.order_id)
                .where(
                    flash_orders.c.status == RESERVED,
                    orders.c.status == OrderStatus.PAID.value,
                )
                .order_by(flash_orders.c.accepted_at)
                .limit(limit)
            ).all()
        return [_order(row) for row in rows]

    def due(self, now: datetime, limit: int = 1000) -> list[FlashOrder]:
        """Reserved orders past their sale's time to pay, and releases left half done."""
        with self._engine.connect() as connection:
            windows = connection.execute(select(flash_sales.c.id, flash_sales.c.pay_within_s)).all()
            overdue = [
                and_(
                    flash_orders.c.sale_id == sale_id,
                    flash_orders.c.status == RESERVED,
                    flash_orders.c.accepted_at <= now - timedelta(seconds=seconds),
                )
                for sale_id, seconds in windows
            ]
            rows = connection.execute(
                select(flash_orders)
                .where(or_(flash_orders.c.status == RELEASING, *overdue))
                .order_by(flash_orders.c.accepted_at)
                .limit(limit)
            ).all()
        return [_order(row) for row in rows]

    def forget_rates(self, before: datetime) -> int:
        with self._engine.begin() as connection:
            gone = connection.execute(
                flash_rates.delete().where(flash_rates.c.second < int(before.timestamp()))
            )
        return gone.rowcount


def _order(row: Any) -> FlashOrder:
    return FlashOrder(
        row.sale_id,
        row.request_id,
        row.entry,
        row.user_id,
        row.qty,
        row.accepted_at,
        row.status,
        row.paid_at,
        row.released_at,
        row.order_id,
    )
