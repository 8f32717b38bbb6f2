"""Flash sales (秒杀): a hot SKU's stock, sold at 整点 to many buyers at once.

A `StockGate` decides each attempt atomically — rate, window, stock,
per-user limit, idempotency by request id — and holds the units for the
buyer; orders are written from the holds afterwards. A hold is paid
(`settle`) or, when its time runs out, released, and its units are on sale
again at once. Every backend must give the same answers
(tests/integration/test_stock_gate.py is their contract).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.rules import check_rate
from dacu.domain.types import Bp


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    SOLD_OUT = "sold_out"
    OVER_LIMIT = "over_limit"
    NOT_STARTED = "not_started"
    ENDED = "ended"
    UNKNOWN_SALE = "unknown_sale"
    RELEASED = "released"  # this request's hold ran out unpaid; a new attempt needs a new id
    USER_RATE_LIMITED = "user_rate_limited"
    IP_RATE_LIMITED = "ip_rate_limited"
    REQUEST_TAKEN = "request_taken"  # another buyer already used this request id
    CAMPAIGN_STATE = "campaign_state"  # its campaign is paused, ended or not yet on
    RISK_BLOCKED = "risk_blocked"  # the risk check, in the gate's own step, refused it


class HoldState(StrEnum):
    HELD = "held"
    PAID = "paid"
    RELEASED = "released"


class GateUnavailable(DomainError):
    """The gate's store cannot be reached: nothing is sold until it can (fail closed)."""

    code = ErrorCode.GATE_UNAVAILABLE

    def __init__(self, reason: str) -> None:
        super().__init__(f"the stock gate cannot be reached, nothing is sold meanwhile: {reason}")


class UnknownSale(NotFound):
    """No flash sale has that id."""

    code = ErrorCode.UNKNOWN_SALE
    noun = "flash sale"


class PaymentRefused(DomainError):
    """The held order cannot be paid: not yet written, someone else's, or released."""


class OrderPending(PaymentRefused):
    """The held order is not written yet; a retry shortly finds it."""

    code = ErrorCode.ORDER_PENDING


class NotYours(PaymentRefused):
    """No such reservation of the caller's: someone else's is answered exactly as one that
    does not exist, so an id never confirms another customer's purchase."""

    code = ErrorCode.UNKNOWN_RESERVATION

    def __init__(self, _reason: str = "") -> None:
        super().__init__("no such reservation of yours")


class ReservationReleased(PaymentRefused):
    """The time to pay ran out; the stock went back on sale."""

    code = ErrorCode.RESERVATION_RELEASED


@dataclass(frozen=True, slots=True)
class FlashSale:
    id: str
    sku: str
    starts_at: datetime
    ends_at: datetime
    stock: int
    limit_per_user: int
    price: int = 0  # fen, per unit
    safety_stock: int = 0  # 安全阈值: at or below it, an alert is raised
    pay_within: timedelta = timedelta(minutes=15)
    user_rate: int = 5  # attempts per second one buyer may make
    ip_rate: int = 200  # attempts per second from one address
    title: str = ""
    restock_at: datetime | None = None  # when more stock is expected, if the operator knows
    campaign_id: str = ""  # the campaign it belongs to: paused, ended and killed with it
    platform_bp: Bp = 0  # the platform's part of the flash cut (list price − flash price)
    promotion_id: str = ""  # the campaign's flash-price promotion it sells: killed with it

    def __post_init__(self) -> None:
        check_rate("platform_bp", self.platform_bp)
        if self.ends_at <= self.starts_at:
            raise InvalidRule("ends_at", "must be after starts_at")
        for field, least in (
            ("stock", 0),
            ("limit_per_user", 1),
            ("price", 0),
            ("safety_stock", 0),
            ("user_rate", 1),
            ("ip_rate", 1),
        ):
            if getattr(self, field) < least:
                raise InvalidRule(field, f"must be at least {least}")
        if self.pay_within <= timedelta(0):
            raise InvalidRule("pay_within", "must be positive")

    def pay_by(self, accepted_at: datetime) -> datetime:
        return accepted_at + self.pay_within


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reservation: str | None = None  # set when accepted: the hold's id (its stream entry)

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


@dataclass(frozen=True, slots=True)
class Hold:
    """Units a gate holds for one accepted request."""

    request_id: str
    reservation: str
    user_id: str
    qty: int
    state: HoldState
    accepted_at: datetime


# An order's life: reserved -> paid, or reserved -> releasing -> released (unpaid in time).
RESERVED, PAID, RELEASING, RELEASED = "reserved", "paid", "releasing", "released"
_HOLD_STATE = {
    RESERVED: HoldState.HELD,
    PAID: HoldState.PAID,
    RELEASING: HoldState.RELEASED,
    RELEASED: HoldState.RELEASED,
}
ORDER_STATUS = {HoldState.HELD: RESERVED, HoldState.PAID: PAID, HoldState.RELEASED: RELEASED}
"""The status an order written from a hold starts in."""


@dataclass(frozen=True, slots=True)
class FlashOrder:
    sale_id: str
    request_id: str
    entry: str
    user_id: str
    qty: int
    accepted_at: datetime
    status: str
    paid_at: datetime | None
    released_at: datetime | None
    order_id: str | None = None  # the full order it became when its buyer went to pay

    def as_hold(self) -> Hold:
        """The hold the gate should have for this order."""
        state = _HOLD_STATE[self.status]
        return Hold(self.request_id, self.entry, self.user_id, self.qty, state, self.accepted_at)


class StockGate(Protocol):
    def open(self, sale: FlashSale) -> bool:
        """Load a sale into the gate unless it is there already (live stock is never reset)."""

    def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
    ) -> Decision:
        """Sell `qty` units to `user_id`, once per `request_id` (a retry gets the same answer)."""

    def release(self, sale_id: str, request_id: str) -> bool:
        """Give a held (unpaid) request's units back; False if nothing is held for it."""

    def settle(self, sale_id: str, request_id: str) -> bool:
        """Mark a hold paid, so it is never released; False if it is not held or paid."""

    def restock(self, sale_id: str, qty: int) -> int:
        """Add `qty` units to the sale; returns the units now on sale."""

    def remaining(self, sale_id: str) -> int: ...

    def bought(self, sale_id: str, user_id: str) -> int: ...

    def buyers(self, sale_id: str) -> dict[str, int]:
        """Units each buyer holds or paid for, as the gate counts them."""

    def hold(self, sale_id: str, request_id: str) -> Hold | None: ...

    def holds(self, sale_id: str) -> list[Hold]:
        """Every hold the gate knows for the sale, released ones included."""

    def repair(self, sale: FlashSale, holds: list[Hold]) -> int:
        """Make the gate agree with the system of record, atomically.

        `sale.stock` is the sale's whole stock; each of `holds` is put in the
        gate as given (holds the gate has and the list lacks are kept: they
        are newer than the list), then the stock on sale and every buyer's
        count are recounted from the gate's holds. Returns the stock on sale,
        negative when more is held than the sale has.
        """


def check_attempt(user_id: str, request_id: str, qty: int) -> None:
    """What every gate checks of an attempt before deciding it."""
    check_id("user_id", user_id)
    check_id("request_id", request_id)
    if qty < 1:
        raise InvalidRule("qty", "must be at least 1")


def check_id(field: str, value: str) -> str:
    """Ids travel inside gate records separated by '|': keep them printable and short."""
    if not value or len(value) > 128 or "|" in value or not value.isprintable():
        raise InvalidRule(field, "must be 1-128 printable characters without '|'")
    return value
