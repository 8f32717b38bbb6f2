"""Fakes of the payment ports: payments, callbacks and refunds kept in dicts; channel
errors counted per window; the active channel; the audit trail."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from dacu.domain.errors import ConcurrentChange
from dacu.domain.payments import Payment, PaymentRefund, RefundStatus, UnknownPayment
from dacu.services.ports.payments import SignedCallback


@dataclass
class FakePaymentStore:
    payments: dict[str, Payment] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    refunds: dict[tuple[str, str], PaymentRefund] = field(default_factory=dict)

    def add(self, payment: Payment) -> Payment:
        self.payments[payment.id] = stored = replace(payment, version=1)
        return stored

    def get(self, payment_id: str) -> Payment:
        if payment_id not in self.payments:
            raise UnknownPayment(payment_id)
        return self.payments[payment_id]

    def of_order(self, order_id: str) -> list[Payment]:
        return [p for p in self.payments.values() if p.order_id == order_id]

    def save(self, payment: Payment) -> Payment:
        if self.payments[payment.id].version != payment.version:
            raise ConcurrentChange(payment.id)
        self.payments[payment.id] = saved = replace(payment, version=payment.version + 1)
        return saved

    def note_callback(self, callback: SignedCallback, seen: bool, now: datetime) -> int | None:
        key = f"{callback.channel}|{callback.signature}" if seen else None
        for n, r in enumerate(self.records, 1):
            if key is not None and r["seen_key"] == key:
                if r["outcome"] != "failed":
                    return None
                r.update(outcome="received", reason=None)
                return n
        self.records.append({"seen_key": key, "payment_id": None, "outcome": "received"})
        return len(self.records)

    def settle_callback(
        self, record: int, payment_id: str | None, outcome: str, reason: str | None
    ) -> None:
        self.records[record - 1].update(payment_id=payment_id, outcome=outcome, reason=reason)

    def callbacks(self, payment_id: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.records if payment_id in (None, r["payment_id"])]

    def refund_of(self, payment_id: str, key: str) -> PaymentRefund | None:
        return self.refunds.get((payment_id, key))

    def add_refund(self, refund: PaymentRefund) -> PaymentRefund:
        return self.refunds.setdefault((refund.payment_id, refund.key), refund)

    def refund_done(self, refund_id: str, provider_ref: str, now: datetime) -> None:
        for key, refund in self.refunds.items():
            if refund.id == refund_id:
                done = replace(refund, status=RefundStatus.SUCCEEDED, provider_ref=provider_ref)
                self.refunds[key] = done


@dataclass
class FakeChannelErrors:
    window: int = 60
    counts: dict[tuple[str, int], int] = field(default_factory=dict)

    def add(self, channel: str, now: datetime) -> int:
        slot = (channel, int(now.timestamp()) // self.window)
        self.counts[slot] = self.counts.get(slot, 0) + 1
        return self.counts[slot]

    def count(self, channel: str, now: datetime) -> int:
        return self.counts.get((channel, int(now.timestamp()) // self.window), 0)


@dataclass
class FakeChannelRouting:
    chosen: str | None = None
    audit: list[tuple[str, str, str, str]] = field(default_factory=list)  # actor, from, to, why

    def active(self) -> str | None:
        return self.chosen

    def switch(self, to: str, default: str, actor: str, reason: str, now: datetime) -> str | None:
        before = self.chosen or default
        if before == to:
            return None
        self.chosen = to
        self.audit.append((actor, before, to, reason))
        return before


@dataclass
class FakeAuditTrail:
    entries: list[tuple[str, str, str, Any, Any]] = field(default_factory=list)

    def record(
        self, actor: str, action: str, subject: str, before: Any, after: Any, now: datetime
    ) -> None:
        self.entries.append((actor, action, subject, before, after))
