"""Payments (支付): what the provider is asked to collect, and what its callbacks may do.

An order is paid only when its payment provider says so in a callback that
verifies: signed with the channel's secret (HMAC-SHA256 over the timestamp and
the body), sent within five minutes, never seen before. A payment is for the
order's payable exactly — the server's figure, never the client's — and is
settled once, by one provider transaction; the same transaction told again
changes nothing. Refunds are taken off a settled payment, never past it.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound, StateError
from dacu.domain.types import Fen

CALLBACK_WINDOW = timedelta(minutes=5)
"""A callback signed longer ago than this (or this far ahead) is refused as stale."""


class PaymentStatus(StrEnum):
    CREATED = "created"  # asked of the provider; no word back yet
    SUCCEEDED = "succeeded"  # the provider collected the money
    FAILED = "failed"  # the provider could not collect it
    REFUNDED = "refunded"  # every fen given back


class RefundStatus(StrEnum):
    REQUESTED = "requested"  # recorded before the provider is asked
    SUCCEEDED = "succeeded"  # the provider gave the money back


class PaymentStateError(StateError):
    """The payment is not in a state that allows this."""

    code = ErrorCode.PAYMENT_STATE


class UnknownPayment(NotFound):
    """No payment has that id."""

    code = ErrorCode.UNKNOWN_PAYMENT
    noun = "payment"


class UnknownChannel(NotFound):
    """No payment channel of that name is configured."""

    code = ErrorCode.UNKNOWN_CHANNEL
    noun = "payment channel"


class BadSignature(DomainError, PermissionError):
    """The callback's signature does not verify with the channel's secret."""

    code = ErrorCode.BAD_SIGNATURE


class StaleCallback(DomainError, PermissionError):
    """The callback was signed outside the five-minute window."""

    code = ErrorCode.STALE_CALLBACK


class CallbackReplayed(DomainError):
    """This very callback (its signature) was received before."""

    code = ErrorCode.CALLBACK_REPLAYED


class AmountMismatch(DomainError):
    """The amount named is not what the order is payable."""

    code = ErrorCode.AMOUNT_MISMATCH


class PaymentUnavailable(DomainError):
    """The payment provider failed or timed out; trying again later is safe."""

    code = ErrorCode.PAYMENT_UNAVAILABLE


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    order_id: str
    customer_id: str
    channel: str
    amount: Fen
    status: PaymentStatus
    created_at: datetime
    transaction_id: str | None = None  # the provider's, once it collected the money
    paid_at: datetime | None = None
    refunded: Fen = 0
    version: int = 0  # the stored row's version (0 before it is first stored)

    @property
    def settled(self) -> bool:
        """The provider collected the money (some of it may have been given back since)."""
        return self.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED)

    def succeed(self, transaction_id: str, amount: Fen, now: datetime) -> "Payment":
        """Collected by `transaction_id`; the same transaction again changes nothing."""
        if amount != self.amount:
            raise AmountMismatch(f"payment {self.id} is for {self.amount} fen, not {amount}")
        if self.settled:
            if transaction_id == self.transaction_id:
                return self
            raise PaymentStateError(f"payment {self.id} was settled by another transaction")
        if self.status is not PaymentStatus.CREATED:
            raise PaymentStateError(f"payment {self.id} is {self.status}; it cannot succeed")
        return replace(
            self, status=PaymentStatus.SUCCEEDED, transaction_id=transaction_id, paid_at=now
        )

    def fail(self) -> "Payment":
        """The provider could not collect it; failing twice changes nothing."""
        if self.status is PaymentStatus.FAILED:
            return self
        if self.status is not PaymentStatus.CREATED:
            raise PaymentStateError(f"payment {self.id} is {self.status}; it cannot fail")
        return replace(self, status=PaymentStatus.FAILED)

    def refund(self, amount: Fen) -> "Payment":
        """`amount` more given back; never more than was collected."""
        if not self.settled:
            raise PaymentStateError(f"payment {self.id} is {self.status}; nothing to refund")
        if amount < 0 or self.refunded + amount > self.amount:
            raise AmountMismatch(f"payment {self.id} has {self.amount - self.refunded} fen left")
        refunded = self.refunded + amount
        status = PaymentStatus.REFUNDED if refunded == self.amount else PaymentStatus.SUCCEEDED
        return replace(self, refunded=refunded, status=status)


@dataclass(frozen=True, slots=True)
class PaymentRefund:
    """A refund asked of the provider for a payment, once per Idempotency-Key."""

    id: str
    payment_id: str
    key: str
    amount: Fen
    status: RefundStatus
    requested_at: datetime
    provider_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """What a callback's body says: this payment, by this transaction, for this amount."""

    payment_id: str
    transaction_id: str
    amount: Fen
    succeeded: bool
    payer: str = ""  # the paying account at the channel (a link between accounts)

    def body(self) -> bytes:
        """The body a provider sends (the one the signature covers)."""
        status = PaymentStatus.SUCCEEDED if self.succeeded else PaymentStatus.FAILED
        document = {
            "payment_id": self.payment_id,
            "transaction_id": self.transaction_id,
            "amount": self.amount,
            "status": status.value,
        } | ({"payer": self.payer} if self.payer else {})
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def read_notice(body: bytes) -> Notice:
    """The notice in a verified body; InvalidRule naming the field that is wrong."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRule("", "the callback body is not JSON") from None
    if not isinstance(document, dict):
        raise InvalidRule("", "the callback body is not an object")
    for name in ("payment_id", "transaction_id", "status"):
        value = document.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= 64:
            raise InvalidRule(name, "must be a string of 1 to 64 characters")
    amount = document.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise InvalidRule("amount", "must be a whole number of fen")
    if document["status"] not in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
        raise InvalidRule("status", "must be succeeded or failed")
    succeeded = document["status"] == PaymentStatus.SUCCEEDED
    payer = document.get("payer", "")
    if not isinstance(payer, str) or len(payer) > 64 or not payer.isprintable():
        raise InvalidRule("payer", "must be a string of at most 64 printable characters")
    return Notice(document["payment_id"], document["transaction_id"], amount, succeeded, payer)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256, in hex, over `timestamp` and the body as sent: `b"<ts>." + body`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: datetime) -> int:
    """The callback's timestamp if its signature verifies and it is fresh; else
    BadSignature or StaleCallback. Constant-time, and checked before anything is read."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise BadSignature("the timestamp is not whole seconds since the epoch")
    sent = int(timestamp)
    if not hmac.compare_digest(sign(secret, sent, body), signature.lower()):
        raise BadSignature("the signature does not verify")
    if abs(now.timestamp() - sent) > CALLBACK_WINDOW.total_seconds():
        raise StaleCallback(f"signed at {sent}, outside the {CALLBACK_WINDOW} window")
    return sent
