"""Orders in SQL, on the unit of work's connection: load, and save only if unchanged.

What the order may do next is the domain's to say; this module keeps rows. A
save is `UPDATE … WHERE id = ? AND version = ?`, so of two writers who loaded
the same version one wins and the other gets ConcurrentChange; on PostgreSQL
`get` also locks the row (`FOR UPDATE`), so writers of one order queue instead,
and both name the order's month (from `order_keys`), so they read one partition.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.codec import order_from_row, order_to_json
from dacu.adapters.customer_store import count_units, held_units
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import ledger, orders, refunds
from dacu.adapters.tables.partition_keys import order_keys
from dacu.domain.errors import ConcurrentChange
from dacu.domain.orders import Order, OrderStatus, Refund, UnknownOrder
from dacu.domain.pricing import Share


class SqlOrderRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, order: Order, key: str, request_hash: str) -> bool:
        placed = self._connection.execute(
            insert_for(self._connection, orders)
            .values(
                id=order.id,
                customer_id=order.customer_id,
                idempotency_key=key,
                request_hash=request_hash,
                status=order.status.value,
                document=order_to_json(order),
                refunded=dict(order.refunded),
                version=1,
                created_at=order.created_at,
                pay_by=order.pay_by,
            )
            .on_conflict_do_nothing()
            .returning(orders.c.id)
        )
        if placed.first() is None:
            return False
        count_units(self._connection, [order], +1)
        return True

    @property
    def _partitioned(self) -> bool:
        """On PostgreSQL `orders` is partitioned by month of `created_at`: a lookup that
        names it reads one partition, not every month's index (see 0059)."""
        return self._connection.dialect.name == "postgresql"

    def _placed_at(self, order_id: str) -> datetime | None:
        return self._connection.scalar(
            select(order_keys.c.created_at).where(order_keys.c.id == order_id)
        )

    def held_by(self, customer_id: str) -> dict[str, int]:
        return held_units(self._connection, customer_id)

    def find(self, customer_id: str, key: str) -> tuple[Order, str] | None:
        query = select(orders).where(
            orders.c.customer_id == customer_id, orders.c.idempotency_key == key
        )
        if self._partitioned:
            k = order_keys.c
            placed = select(k.created_at).where(k.customer_id == customer_id)
            at = self._connection.scalar(placed.where(k.idempotency_key == key))
            query = query.where(orders.c.created_at == at)
        row = self._connection.execute(query).one_or_none()
        return None if row is None else (order_from_row(row), row.request_hash)

    def get(self, order_id: str) -> Order:
        query = select(orders).where(orders.c.id == order_id)
        if self._partitioned:
            query = query.where(orders.c.created_at == self._placed_at(order_id)).with_for_update()
        row = self._connection.execute(query).one_or_none()
        if row is None:
            raise UnknownOrder(order_id)
        return order_from_row(row)

    def save(self, order: Order) -> Order:
        month = [orders.c.created_at == order.created_at] if self._partitioned else []
        done = self._connection.execute(
            update(orders)
            .where(orders.c.id == order.id, orders.c.version == order.version, *month)
            .values(
                status=order.status.value,
                refunded=dict(order.refunded),
                version=orders.c.version + 1,
            )
        )
        if done.rowcount != 1:
            raise ConcurrentChange(f"order {order.id} changed meanwhile; retry")
        if order.status is OrderStatus.CANCELLED:  # saved once: the version moved with it
            count_units(self._connection, [order], -1)
        return replace(order, version=order.version + 1)

    def unpaid_before(self, now: datetime) -> list[str]:
        return list(
            self._connection.scalars(
                select(orders.c.id)
                .where(orders.c.status == OrderStatus.PENDING.value, orders.c.pay_by < now)
                .order_by(orders.c.pay_by, orders.c.id)
            )
        )

    def refund_of(self, order: Order, key: str) -> Refund | None:
        done = self._connection.execute(
            select(refunds).where(refunds.c.order_id == order.id, refunds.c.idempotency_key == key)
        ).one_or_none()
        if done is None:
            return None
        rows = self._connection.execute(select(ledger).where(ledger.c.refund_id == done.id)).all()
        clawbacks = tuple(
            Share(r.rule_id, -(r.platform + r.merchant), -r.platform, -r.merchant) for r in rows
        )
        return Refund(done.sku, order.line(done.sku).shop, done.qty, done.amount, clawbacks)

    def add_refund(
        self, order_id: str, refund_id: str, key: str, refund: Refund, now: datetime
    ) -> None:
        self._connection.execute(
            insert(refunds).values(
                id=refund_id,
                order_id=order_id,
                idempotency_key=key,
                sku=refund.sku,
                qty=refund.qty,
                amount=refund.amount,
                at=now,
            )
        )

    def book(
        self,
        order_id: str,
        refund_id: str | None,
        shop: str,
        shares: Sequence[Share],
        sign: int,
        now: datetime,
        funders: Mapping[str, str] | None = None,
    ) -> None:
        rows = [
            {
                "order_id": order_id,
                "refund_id": refund_id,
                "rule_id": share.id,
                "shop": shop,
                "platform": sign * share.platform,
                "merchant": sign * share.merchant,
                "at": now,
                "budget": (funders or {}).get(share.id),
            }
            for share in shares
        ]
        if rows:
            self._connection.execute(insert(ledger), rows)

    def funding(self, order_id: str | None = None) -> dict[str, Any]:
        query = select(
            ledger.c.shop, func.sum(ledger.c.platform), func.sum(ledger.c.merchant)
        ).group_by(ledger.c.shop)
        if order_id is not None:
            query = query.where(ledger.c.order_id == order_id)
        rows = self._connection.execute(query).all()
        return {
            "platform": sum(int(platform) for _, platform, _ in rows),
            "merchants": {shop: int(merchant) for shop, _, merchant in rows},
        }

    def refunded_money(self, order_id: str) -> int:
        found = self._connection.scalar(
            select(func.coalesce(func.sum(refunds.c.amount), 0)).where(
                refunds.c.order_id == order_id
            )
        )
        return int(found or 0)
