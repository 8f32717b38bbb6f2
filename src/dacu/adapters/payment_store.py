"""Payments in SQL: saved only if unchanged since loaded; callbacks and refunds recorded.

A callback whose signature verified is recorded under `channel|signature`,
unique, so the same callback sent twice is seen as a replay by whichever
process receives it second. Refund requests are unique per payment and key.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from dacu.adapters.audit import record
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import payment_callbacks, payment_refunds, payments
from dacu.domain.errors import ConcurrentChange
from dacu.domain.payments import (
    Payment,
    PaymentRefund,
    PaymentStateError,
    PaymentStatus,
    RefundStatus,
    UnknownPayment,
)
from dacu.services.ports.payments import SignedCallback

BODY_KEPT = 4096
STALE = timedelta(seconds=60)  # a callback still "received" this long: its process died
"""Bytes of a callback's body recorded: a provider's notice is far shorter, and a
stranger's forged posts must not fill the table."""


class SqlPaymentStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, payment: Payment) -> Payment:
        with self._engine.begin() as connection:
            connection.execute(insert(payments).values(**_row(payment), version=1))
        return replace(payment, version=1)

    def get(self, payment_id: str) -> Payment:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(payments).where(payments.c.id == payment_id)
            ).one_or_none()
        if row is None:
            raise UnknownPayment(payment_id)
        return _payment(row)

    def of_order(self, order_id: str) -> list[Payment]:
        query = (
            select(payments)
            .where(payments.c.order_id == order_id)
            .order_by(payments.c.created_at, payments.c.id)
        )
        with self._engine.connect() as connection:
            return [_payment(row) for row in connection.execute(query)]

    def save(self, payment: Payment) -> Payment:
        values = _row(payment)
        values.pop("id")
        try:
            with self._engine.begin() as connection:
                done = connection.execute(
                    update(payments)
                    .where(payments.c.id == payment.id, payments.c.version == payment.version)
                    .values(**values, version=payments.c.version + 1)
                )
        except IntegrityError:
            raise PaymentStateError(
                f"transaction {payment.transaction_id} settled another payment already"
            ) from None
        if done.rowcount != 1:
            raise ConcurrentChange(f"payment {payment.id} changed meanwhile; retry")
        return replace(payment, version=payment.version + 1)

    def note_callback(self, callback: SignedCallback, seen: bool, now: datetime) -> int | None:
        values = {
            "channel": callback.channel,
            "received_at": now,
            "sent_at": callback.timestamp[:16],
            "signature": callback.signature[:128],
            "body": callback.body[:BODY_KEPT],
            "seen_key": f"{callback.channel}|{callback.signature}"[:200] if seen else None,
            "outcome": "received",
        }
        with self._engine.begin() as connection:
            made = connection.execute(
                insert_for(connection, payment_callbacks)
                .values(**values)
                .on_conflict_do_nothing()
                .returning(payment_callbacks.c.id)
            ).first()
            if made is None and seen:  # told again: taken over if the first never finished
                table = payment_callbacks
                made = connection.execute(
                    update(table)
                    .where(
                        table.c.seen_key == values["seen_key"],
                        (table.c.outcome == "failed")
                        | ((table.c.outcome == "received") & (table.c.received_at < now - STALE)),
                    )
                    .values(received_at=now, outcome="received", reason=None)
                    .returning(table.c.id)
                ).first()
        return None if made is None else int(made[0])

    def settle_callback(
        self, record: int, payment_id: str | None, outcome: str, reason: str | None
    ) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(payment_callbacks)
                .where(payment_callbacks.c.id == record)
                .values(payment_id=payment_id, outcome=outcome, reason=reason)
            )

    def callbacks(self, payment_id: str | None = None) -> list[dict[str, Any]]:
        query = select(payment_callbacks).order_by(payment_callbacks.c.id)
        if payment_id is not None:
            query = query.where(payment_callbacks.c.payment_id == payment_id)
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def refund_of(self, payment_id: str, key: str) -> PaymentRefund | None:
        query = select(payment_refunds).where(
            payment_refunds.c.payment_id == payment_id,
            payment_refunds.c.idempotency_key == key,
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _refund(row)

    def add_refund(self, refund: PaymentRefund) -> PaymentRefund:
        with self._engine.begin() as connection:
            connection.execute(
                insert_for(connection, payment_refunds)
                .values(
                    id=refund.id,
                    payment_id=refund.payment_id,
                    idempotency_key=refund.key,
                    amount=refund.amount,
                    status=refund.status.value,
                    requested_at=refund.requested_at,
                )
                .on_conflict_do_nothing()
            )
        found = self.refund_of(refund.payment_id, refund.key)
        assert found is not None  # written now, or by the request that won
        return found

    def refund_done(self, refund_id: str, provider_ref: str, now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(payment_refunds)
                .where(payment_refunds.c.id == refund_id)
                .values(status=RefundStatus.SUCCEEDED.value, provider_ref=provider_ref, done_at=now)
            )


class SqlAuditTrail:
    """The audit log (`adapters/audit.py`) behind the services' `AuditTrail` port."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self, actor: str, action: str, subject: str, before: Any, after: Any, now: datetime
    ) -> None:
        with self._engine.begin() as connection:
            record(
                connection,
                actor=actor,
                action=action,
                subject=subject,
                before=before,
                after=after,
                at=now,
            )


def _row(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "customer_id": payment.customer_id,
        "channel": payment.channel,
        "amount": payment.amount,
        "status": payment.status.value,
        "transaction_id": payment.transaction_id,
        "refunded": payment.refunded,
        "created_at": payment.created_at,
        "paid_at": payment.paid_at,
    }


def _payment(row: Row[Any]) -> Payment:
    return Payment(
        id=row.id,
        order_id=row.order_id,
        customer_id=row.customer_id,
        channel=row.channel,
        amount=row.amount,
        status=PaymentStatus(row.status),
        created_at=row.created_at,
        transaction_id=row.transaction_id,
        paid_at=row.paid_at,
        refunded=row.refunded,
        version=row.version,
    )


def _refund(row: Row[Any]) -> PaymentRefund:
    return PaymentRefund(
        id=row.id,
        payment_id=row.payment_id,
        key=row.idempotency_key,
        amount=row.amount,
        status=RefundStatus(row.status),
        requested_at=row.requested_at,
        provider_ref=row.provider_ref,
    )
