"""Orders in SQL: checkout, payment, cancel and refunds, each one transaction.

Checkout inserts the order (unique per customer and Idempotency-Key),
reserves stock with a conditional UPDATE and locks the coupons the quote
used — all or nothing. Payment redeems the coupons and writes who funds each
fen to the ledger; a refund writes the clawback, negative, beside it. Order
rows carry a version, so two refunds racing on one order cannot both count
the same units.
"""

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dacu.adapters.codec import order_from_row, order_to_json
from dacu.adapters.coupon_lifecycle import lock_coupons, move_coupons
from dacu.adapters.sql import put_row
from dacu.adapters.tables import ledger, orders, refunds, stock
from dacu.domain.errors import ConcurrentChange
from dacu.domain.orders import (
    Order,
    OrderStateError,
    OrderStatus,
    Refund,
    SoldOut,
    UnknownOrder,
    refund_units,
)
from dacu.domain.pricing import Share


class SqlOrderStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def set_stock(self, sku: str, available: int) -> None:
        """Track stock for `sku` (SKUs without a row are not stock-limited)."""
        with self._engine.begin() as connection:
            put_row(connection, stock, {"sku": sku}, {"available": available})

    def available(self, sku: str) -> int | None:
        with self._engine.connect() as connection:
            found = connection.scalar(select(stock.c.available).where(stock.c.sku == sku))
        return None if found is None else int(found)

    def find(self, customer_id: str, key: str) -> tuple[Order, str] | None:
        """The order placed with this Idempotency-Key, and the hash of its request."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(orders).where(
                    orders.c.customer_id == customer_id, orders.c.idempotency_key == key
                )
            ).one_or_none()
        return None if row is None else (order_from_row(row), row.request_hash)

    def order(self, order_id: str) -> Order:
        with self._engine.connect() as connection:
            row = connection.execute(select(orders).where(orders.c.id == order_id)).one_or_none()
        if row is None:
            raise UnknownOrder(order_id)
        return order_from_row(row)

    def place(self, order: Order, key: str, request_hash: str) -> bool:
        """Place the order; False when this key was placed already (by a racing retry)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(orders).values(
                        id=order.id,
                        customer_id=order.customer_id,
                        idempotency_key=key,
                        request_hash=request_hash,
                        status=order.status.value,
                        document=order_to_json(order),
                        refunded={},
                        version=1,
                        created_at=order.created_at,
                        pay_by=order.pay_by,
                    )
                )
                for line in order.lines:
                    _reserve(connection, line.sku, line.qty)
                lock_coupons(
                    connection, order.coupons, order.customer_id, order.id, order.created_at
                )
        except IntegrityError:
            if self.find(order.customer_id, key) is None:
                raise
            return False
        return True

    def pay(self, order_id: str, now: datetime) -> Order:
        """Mark paid, redeem its coupons, book its funding; paying twice is a no-op."""
        with self._engine.begin() as connection:
            order, version = self._locked(connection, order_id)
            if order.status is OrderStatus.PAID:
                return order
            if order.status is not OrderStatus.PENDING or now > order.pay_by:
                raise OrderStateError(f"order {order_id} is {order.status}; it cannot be paid")
            self._set(connection, order, version, status=OrderStatus.PAID)
            move_coupons(connection, order_id, ["locked"], "redeemed")
            for line in order.lines:
                for share in line.discounts:
                    _book(connection, order_id, None, share, line.shop, 1, now)
        return replace(order, status=OrderStatus.PAID)

    def cancel(self, order_id: str, now: datetime) -> Order:
        """Cancel an unpaid order: its stock and coupons come back at once."""
        with self._engine.begin() as connection:
            order, version = self._locked(connection, order_id)
            if order.status is OrderStatus.CANCELLED:
                return order
            if order.status is not OrderStatus.PENDING:
                raise OrderStateError(f"order {order_id} is {order.status}; only unpaid cancel")
            self._set(connection, order, version, status=OrderStatus.CANCELLED)
            for line in order.lines:
                _restock(connection, line.sku, line.qty)
            move_coupons(connection, order_id, ["locked"], "held")
        return replace(order, status=OrderStatus.CANCELLED)

    def unpaid_before(self, now: datetime) -> list[str]:
        """Orders whose time to pay has run out (for the sweeper)."""
        with self._engine.connect() as connection:
            return list(
                connection.scalars(
                    select(orders.c.id).where(
                        orders.c.status == OrderStatus.PENDING.value, orders.c.pay_by < now
                    )
                )
            )

    def refund(
        self, order_id: str, sku: str, qty: int, key: str, refund_id: str, now: datetime
    ) -> Refund:
        """Give back `qty` units of `sku`; the same key refunds once."""
        with self._engine.begin() as connection:
            done = connection.execute(
                select(refunds).where(
                    refunds.c.order_id == order_id, refunds.c.idempotency_key == key
                )
            ).one_or_none()
            order, version = self._locked(connection, order_id)
            if done is not None:
                return _refund_of(connection, order, done.id, done.sku, done.qty, done.amount)
            refund = refund_units(order, sku, qty)
            refunded = {**order.refunded, sku: order.refunded.get(sku, 0) + qty}
            after = replace(order, refunded=refunded)
            status = OrderStatus.REFUNDED if after.fully_refunded else OrderStatus.PAID
            self._set(connection, order, version, status=status, refunded=refunded)
            connection.execute(
                insert(refunds).values(
                    id=refund_id,
                    order_id=order_id,
                    idempotency_key=key,
                    sku=sku,
                    qty=qty,
                    amount=refund.amount,
                    at=now,
                )
            )
            for share in refund.clawbacks:
                _book(connection, order_id, refund_id, share, refund.shop, -1, now)
            if status is OrderStatus.REFUNDED:
                move_coupons(connection, order_id, ["redeemed"], "held")
        return refund

    def funding(self, order_id: str | None = None) -> dict[str, Any]:
        """What the platform and each merchant fund now, net of clawbacks."""
        query = select(
            ledger.c.shop, func.sum(ledger.c.platform), func.sum(ledger.c.merchant)
        ).group_by(ledger.c.shop)
        if order_id is not None:
            query = query.where(ledger.c.order_id == order_id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return {
            "platform": sum(int(platform) for _, platform, _ in rows),
            "merchants": {shop: int(merchant) for shop, _, merchant in rows},
        }

    def refunded_money(self, order_id: str) -> int:
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(func.coalesce(func.sum(refunds.c.amount), 0)).where(
                    refunds.c.order_id == order_id
                )
            )
        return int(found or 0)

    def _locked(self, connection: Connection, order_id: str) -> tuple[Order, int]:
        """The order, locked for this transaction where the database can (FOR UPDATE)."""
        query = select(orders).where(orders.c.id == order_id)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = connection.execute(query).one_or_none()
        if row is None:
            raise UnknownOrder(order_id)
        return order_from_row(row), int(row.version)

    def _set(self, connection: Connection, order: Order, version: int, **values: Any) -> None:
        """Change the order only if nobody changed it since it was read."""
        changes: dict[str, Any] = {"version": orders.c.version + 1}
        if "status" in values:
            changes["status"] = values["status"].value
        if "refunded" in values:
            changes["refunded"] = values["refunded"]
        done = connection.execute(
            update(orders)
            .where(orders.c.id == order.id, orders.c.version == version)
            .values(**changes)
        )
        if done.rowcount != 1:
            raise ConcurrentChange(f"order {order.id} changed meanwhile; retry")


def _reserve(connection: Connection, sku: str, qty: int) -> None:
    tracked = connection.scalar(select(func.count()).select_from(stock).where(stock.c.sku == sku))
    if not tracked:
        return
    done = connection.execute(
        update(stock)
        .where(stock.c.sku == sku, stock.c.available >= qty)
        .values(available=stock.c.available - qty)
    )
    if done.rowcount != 1:
        raise SoldOut(f"not enough {sku} left for {qty}")


def _restock(connection: Connection, sku: str, qty: int) -> None:
    connection.execute(
        update(stock).where(stock.c.sku == sku).values(available=stock.c.available + qty)
    )


def _book(
    connection: Connection,
    order_id: str,
    refund_id: str | None,
    share: Share,
    shop: str,
    sign: int,
    now: datetime,
) -> None:
    connection.execute(
        insert(ledger).values(
            order_id=order_id,
            refund_id=refund_id,
            rule_id=share.id,
            shop=shop,
            platform=sign * share.platform,
            merchant=sign * share.merchant,
            at=now,
        )
    )


def _refund_of(
    connection: Connection, order: Order, refund_id: str, sku: str, qty: int, amount: int
) -> Refund:
    rows = connection.execute(select(ledger).where(ledger.c.refund_id == refund_id)).all()
    clawbacks = tuple(
        Share(r.rule_id, -(r.platform + r.merchant), -r.platform, -r.merchant) for r in rows
    )
    return Refund(sku, order.line(sku).shop, qty, amount, clawbacks)
