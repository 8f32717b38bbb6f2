"""Payments: the provider behind each channel, where payments are kept, and which
channel new payments go to.

`Payments` is a payment provider's side: asked to collect a payment, it
answers later with a signed callback; asked to refund, it answers at once, the
same refund id never refunding twice. A provider that fails or times out
raises `PaymentUnavailable`. The error counts and the active channel are kept
where every process sees them (Redis or SQL), never in one process.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dacu.domain.payments import Payment, PaymentRefund


@dataclass(frozen=True, slots=True)
class SignedCallback:
    """A callback as the provider sends it: the channel, its headers, the exact body."""

    channel: str
    timestamp: str
    signature: str
    body: bytes


class Payments(Protocol):
    def start(self, payment: Payment, now: datetime) -> None:
        """Ask the provider to collect `payment`; its callback comes later.
        PaymentUnavailable when the provider fails or times out."""
        ...

    def refund(self, payment: Payment, refund_id: str, amount: int, now: datetime) -> str:
        """Give `amount` of `payment` back; the provider's reference. The same
        `refund_id` again returns the same reference and gives nothing more."""
        ...


class PaymentStore(Protocol):
    def add(self, payment: Payment) -> Payment:
        """Store a new payment at version 1."""
        ...

    def get(self, payment_id: str) -> Payment:
        """The payment; UnknownPayment if none."""
        ...

    def of_order(self, order_id: str) -> list[Payment]:
        """The order's payments, oldest first."""
        ...

    def save(self, payment: Payment) -> Payment:
        """Write its state; ConcurrentChange unless the stored version is still
        `payment.version`. Returns it at its new version."""
        ...

    def note_callback(self, callback: SignedCallback, seen: bool, now: datetime) -> int | None:
        """Record a callback received; with `seen`, only if its signature was never
        recorded before (None then: a replay) — or its first receipt never finished
        (outcome "failed", or still "received" after a minute: its process died), which
        this one takes over. The record's id."""
        ...

    def settle_callback(
        self, record: int, payment_id: str | None, outcome: str, reason: str | None
    ) -> None:
        """What became of a recorded callback: accepted, refused and why, or failed (the
        server's fault: the provider's retry is taken)."""
        ...

    def callbacks(self, payment_id: str | None = None) -> list[dict[str, Any]]:
        """Callbacks received (every one, or about one payment), oldest first."""
        ...

    def refund_of(self, payment_id: str, key: str) -> PaymentRefund | None:
        """The refund asked with this Idempotency-Key, if any."""
        ...

    def add_refund(self, refund: PaymentRefund) -> PaymentRefund:
        """Record a refund request; the one recorded first for its key if there is one."""
        ...

    def refund_done(self, refund_id: str, provider_ref: str, now: datetime) -> None:
        """The provider gave the money back under `provider_ref`."""
        ...


class ChannelErrors(Protocol):
    def add(self, channel: str, now: datetime) -> int:
        """Count one failure or timeout of `channel`; the count in the current window."""
        ...

    def count(self, channel: str, now: datetime) -> int:
        """Failures and timeouts of `channel` in the current window."""
        ...


class ChannelRouting(Protocol):
    def active(self) -> str | None:
        """The channel new payments go to, if one was ever chosen."""
        ...

    def switch(self, to: str, default: str, actor: str, reason: str, now: datetime) -> str | None:
        """Send new payments to `to`, audited; the channel they went to before, or None
        when they went to `to` already (`default` when none was ever chosen)."""
        ...


class AuditTrail(Protocol):
    def record(
        self, actor: str, action: str, subject: str, before: Any, after: Any, now: datetime
    ) -> None:
        """Append who did what to which record, and what it was before and after."""
        ...
