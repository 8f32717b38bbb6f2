"""Shipments in SQL (`ShipmentStore`): one transaction per shipment recorded or
delivered, its ledger entry posted on the same connection (`SqlLedgerBook`).

A shipment is one row per order and shop (a unique index), inserted ON
CONFLICT DO NOTHING, so two requests shipping the same lines record one.
Delivery holds the row (`FOR UPDATE` on PostgreSQL; on SQLite every book
begins with a write, so books take turns) and saves only from `shipped`.
When an order was paid is the time of its `order:<id>:paid` fact in the
outbox (kept after delivery), which the payment wrote in its own transaction.
"""

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, desc, false, select, text, update
from sqlalchemy.engine import Connection

from dacu.adapters.codec import order_from_row
from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import event_outbox, orders, shipments, skus
from dacu.domain.orders import Order, OrderStatus
from dacu.domain.shipments import Shipment, ShipmentStatus
from dacu.services.ports.shipping import ToShip

_SHIPPABLE = (OrderStatus.PAID.value, OrderStatus.REFUNDED.value)


def write_first(connection: Connection, table: str) -> None:
    """On SQLite, take the write lock now: the book's reads then see the last commit."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"UPDATE {table} SET rowid = rowid WHERE 0"))


def paid_at(connection: Connection, order_id: str) -> datetime | None:
    return connection.scalar(
        select(event_outbox.c.created_at).where(event_outbox.c.key == f"order:{order_id}:paid")
    )


class SqlShipmentBook:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.ledger = SqlLedgerBook(connection)

    def order(self, order_id: str) -> tuple[Order, datetime] | None:
        row = self._connection.execute(
            select(orders).where(orders.c.id == order_id, orders.c.status.in_(_SHIPPABLE))
        ).one_or_none()
        if row is None:
            return None
        when = paid_at(self._connection, order_id)
        return order_from_row(row), when or row.created_at

    def size_classes(self, sku_ids: Collection[str]) -> Mapping[str, str]:
        rows = self._connection.execute(
            select(skus.c.id, skus.c.size_class).where(skus.c.id.in_(list(sku_ids)))
        )
        return {row.id: row.size_class or "" for row in rows}

    def by_key(self, merchant: str, key: str) -> tuple[Shipment, str] | None:
        row = self._connection.execute(
            select(shipments).where(
                shipments.c.merchant == merchant, shipments.c.idempotency_key == key
            )
        ).one_or_none()
        return None if row is None else (shipment_of(row), row.request_hash)

    def of_order(self, order_id: str, shop: str) -> Shipment | None:
        row = self._connection.execute(
            select(shipments).where(shipments.c.order_id == order_id, shipments.c.shop == shop)
        ).one_or_none()
        return None if row is None else shipment_of(row)

    def add(self, shipment: Shipment, merchant: str, key: str, request_hash: str) -> bool:
        placed = self._connection.execute(
            insert_for(self._connection, shipments)
            .values(
                **_values(shipment),
                merchant=merchant,
                idempotency_key=key,
                request_hash=request_hash,
            )
            .on_conflict_do_nothing()
            .returning(shipments.c.id)
        ).first()
        return placed is not None

    def held(self, shipment_id: str) -> Shipment | None:
        query = select(shipments).where(shipments.c.id == shipment_id)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._connection.execute(query).one_or_none()
        return None if row is None else shipment_of(row)

    def delivered(self, shipment: Shipment) -> bool:
        done = self._connection.execute(
            update(shipments)
            .where(
                shipments.c.id == shipment.id,
                shipments.c.status == ShipmentStatus.SHIPPED.value,
            )
            .values(
                status=shipment.status.value,
                delivered_at=shipment.delivered_at,
                subsidy=shipment.subsidy,
            )
        )
        return done.rowcount == 1


class SqlShipmentStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def book(self) -> Iterator[SqlShipmentBook]:
        with self._engine.begin() as connection:
            write_first(connection, "shipments")
            yield SqlShipmentBook(connection)

    def get(self, shipment_id: str) -> Shipment | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(shipments).where(shipments.c.id == shipment_id)
            ).one_or_none()
        return None if row is None else shipment_of(row)

    def of_shop(self, shop: str, late: bool | None = None, limit: int = 500) -> list[Shipment]:
        query = select(shipments).where(shipments.c.shop == shop)
        if late is not None:
            query = query.where(shipments.c.late == late)
        query = query.order_by(desc(shipments.c.shipped_at), shipments.c.id).limit(limit)
        with self._engine.connect() as connection:
            return [shipment_of(row) for row in connection.execute(query)]

    def to_ship(self, shops: Collection[str], limit: int = 200) -> list[ToShip]:
        """Scans the newest paid orders (at most 20 × limit) for lines at `shops`."""
        wanted = set(shops)
        query = (
            select(orders)
            .where(orders.c.status.in_(_SHIPPABLE) if wanted else false())
            .order_by(desc(orders.c.created_at), orders.c.id)
            .limit(limit * 20)
        )
        found: list[ToShip] = []
        with self._engine.connect() as connection:
            for row in connection.execute(query):
                found += _lines_at(connection, order_from_row(row), wanted)
                if len(found) >= limit:
                    break
        return found[:limit]


def _lines_at(connection: Connection, order: Order, shops: set[str]) -> list[ToShip]:
    at = sorted({line.shop for line in order.lines if line.shop in shops})
    if not at:
        return []
    when = paid_at(connection, order.id) or order.created_at
    shipped = {
        row.shop: shipment_of(row)
        for row in connection.execute(select(shipments).where(shipments.c.order_id == order.id))
    }
    found = []
    for shop in at:
        units: dict[str, int] = {}
        for line in order.lines:
            if line.shop == shop:
                units[line.sku] = (
                    units.get(line.sku, 0) + line.qty - order.refunded.get(line.sku, 0)
                )
        if shipped.get(shop) is None and order.status is not OrderStatus.PAID:
            continue  # refunded whole before it shipped: nothing to ship
        found.append(ToShip(order.id, shop, when, units, shipped.get(shop)))
    return found


def _values(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "shop": shipment.shop,
        "carrier": shipment.carrier,
        "waybill": shipment.waybill,
        "size_classes": list(shipment.size_classes),
        "paid_at": shipment.paid_at,
        "shipped_at": shipment.shipped_at,
        "promise_hours": shipment.promise_hours,
        "late": shipment.late,
        "campaign_id": shipment.campaign_id,
        "status": shipment.status.value,
        "delivered_at": shipment.delivered_at,
        "subsidy": shipment.subsidy,
    }


def shipment_of(row: Any) -> Shipment:
    return Shipment(
        id=row.id,
        order_id=row.order_id,
        shop=row.shop,
        carrier=row.carrier,
        waybill=row.waybill,
        size_classes=tuple(row.size_classes or ()),
        paid_at=row.paid_at,
        shipped_at=row.shipped_at,
        promise_hours=int(row.promise_hours),
        late=bool(row.late),
        campaign_id=row.campaign_id,
        status=ShipmentStatus(row.status),
        delivered_at=row.delivered_at,
        subsidy=int(row.subsidy),
    )
