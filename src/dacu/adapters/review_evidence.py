"""A review's evidence (`Evidence`): the order's payments, and its waybills from the
`shipments` table where that table exists (none otherwise: shipments are recorded by
their own part of settlement, which may not be installed)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, column, inspect, select, table

from dacu.adapters.tables import payments
from dacu.domain.evidence import PaymentRecord, Waybill

_shipments = table(
    "shipments",
    column("order_id"),
    column("shop"),
    column("carrier"),
    column("waybill"),
    column("status"),
    column("shipped_at"),
    column("delivered_at"),
)


class SqlEvidence:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._shipments = False  # found once, kept: a table is not dropped while running

    def payments(self, order_id: str) -> list[PaymentRecord]:
        query = select(payments).where(payments.c.order_id == order_id).limit(50)
        with self._engine.connect() as connection:
            return [_payment(row._mapping) for row in connection.execute(query)]

    def waybills(self, order_id: str) -> list[Waybill]:
        if not self._has_shipments():
            return []
        query = select(_shipments).where(_shipments.c.order_id == order_id).limit(50)
        with self._engine.connect() as connection:
            return [_waybill(row._mapping) for row in connection.execute(query)]

    def _has_shipments(self) -> bool:
        if not self._shipments:
            self._shipments = inspect(self._engine).has_table("shipments")
        return self._shipments


def _payment(row: Any) -> PaymentRecord:
    return PaymentRecord(
        row["id"],
        row["order_id"],
        row["channel"],
        row["amount"],
        row["status"],
        row["transaction_id"] or "",
        row["paid_at"],
        row["refunded"],
    )


def _waybill(row: Any) -> Waybill:
    return Waybill(
        row["order_id"],
        row["shop"],
        row["carrier"],
        row["waybill"],
        row["status"],
        _aware(row["shipped_at"]),
        _aware(row["delivered_at"]),
    )


def _aware(value: Any) -> Any:
    if isinstance(value, str):  # SQLite through a lightweight table: no type to read it
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
