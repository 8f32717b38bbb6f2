"""Errors as data: every failure that matters is a `DomainError` carrying a stable `ErrorCode`.

Edges map codes to their own terms in one place each (HTTP statuses in
`entrypoints/api/errors.py`, exit codes in the CLI); nothing outside the
adapters ever sees a database's or Redis's own exception.
"""

from enum import StrEnum
from typing import ClassVar


class ErrorCode(StrEnum):
    # the request itself
    INVALID = "invalid"  # a field breaks a rule; `field` names it
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"  # no such route
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    MALFORMED = "malformed"  # not JSON at all
    INTERNAL = "internal"
    # things that do not exist
    UNKNOWN_CAMPAIGN = "unknown_campaign"
    UNKNOWN_PROMOTION = "unknown_promotion"
    UNKNOWN_ORDER = "unknown_order"
    UNKNOWN_COUPON_TEMPLATE = "unknown_coupon_template"
    UNKNOWN_ENROLLMENT = "unknown_enrollment"
    UNKNOWN_MERCHANT = "unknown_merchant"
    UNKNOWN_SALE = "unknown_sale"
    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_SHOP = "unknown_shop"
    # states and races
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    CONCURRENT_CHANGE = "concurrent_change"
    ORDER_STATE = "order_state"
    ENROLLMENT_STATE = "enrollment_state"
    CAMPAIGN_STATE = "campaign_state"
    SOLD_OUT = "sold_out"
    # coupons
    CLAIM_REFUSED = "claim_refused"
    CLAIM_WINDOW_CLOSED = "claim_window_closed"
    NOT_IN_AUDIENCE = "not_in_audience"
    PER_USER_LIMIT_REACHED = "per_user_limit_reached"
    OUT_OF_STOCK = "out_of_stock"
    UNKNOWN_ACTIVITY_CODE = "unknown_activity_code"
    COUPON_UNAVAILABLE = "coupon_unavailable"
    # flash sales
    ORDER_PENDING = "order_pending"
    UNKNOWN_RESERVATION = "unknown_reservation"  # none, or someone else's: the same answer
    RESERVATION_RELEASED = "reservation_released"
    GATE_UNAVAILABLE = "gate_unavailable"
    EVENTS_UNAVAILABLE = "events_unavailable"  # the event stream could not keep a batch
    # payments
    UNKNOWN_PAYMENT = "unknown_payment"
    UNKNOWN_CHANNEL = "unknown_channel"
    PAYMENT_STATE = "payment_state"
    BAD_SIGNATURE = "bad_signature"
    STALE_CALLBACK = "stale_callback"
    CALLBACK_REPLAYED = "callback_replayed"
    AMOUNT_MISMATCH = "amount_mismatch"
    PAYMENT_UNAVAILABLE = "payment_unavailable"
    # growth rewards
    RISK_BLOCKED = "risk_blocked"
    NOT_ENOUGH_COINS = "not_enough_coins"
    UNKNOWN_TASK = "unknown_task"
    NO_CHANCE = "no_chance"  # no lottery draw chance left
    UNKNOWN_REWARD = "unknown_reward"
    REWARD_STATE = "reward_state"
    # budgets
    BUDGET_SPENT = "budget_spent"
    # customers: registration and sign-in by phone
    UNKNOWN_CUSTOMER = "unknown_customer"
    RATE_LIMITED = "rate_limited"
    WRONG_CODE = "wrong_code"
    CODE_EXPIRED = "code_expired"  # none sent, expired, used, or tried too often
    # acquisition: share links
    UNKNOWN_SHARE = "unknown_share"
    # settlement: shipments, statements, appeals, reviews and payouts
    UNKNOWN_SHIPMENT = "unknown_shipment"
    SHIPMENT_STATE = "shipment_state"
    UNKNOWN_STATEMENT = "unknown_statement"
    STATEMENT_STATE = "statement_state"  # issued statements never change; not ended yet…
    UNKNOWN_APPEAL = "unknown_appeal"
    APPEAL_STATE = "appeal_state"
    UNKNOWN_REVIEW = "unknown_review"
    REVIEW_STATE = "review_state"
    SAME_PERSON = "same_person"  # a two-person approval by its preparer
    UNKNOWN_PAYOUT = "unknown_payout"
    PAYOUT_STATE = "payout_state"  # held for review, or not yet due
    UNKNOWN_DEPARTMENT = "unknown_department"
    # risk control
    UNKNOWN_RISK_REVIEW = "unknown_risk_review"
    RISK_REVIEW_STATE = "risk_review_state"  # decided already, or an appeal stands open
    RISK_HELD = "risk_held"  # held for a person: the money moves once released


class DomainError(Exception):
    """A failure the caller can act on: a stable `code`, a message, maybe the field."""

    code: ClassVar[ErrorCode] = ErrorCode.INVALID

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError, LookupError):
    """Nothing has that id; the message says what was looked for."""

    code: ClassVar[ErrorCode] = ErrorCode.NOT_FOUND
    noun: ClassVar[str] = "thing"

    def __init__(self, key: str) -> None:
        super().__init__(f"no {self.noun} {key}")
        self.key = key

    def __str__(self) -> str:
        return self.key


class InvalidRule(DomainError, ValueError):
    """A cart, promotion, wallet item or request field breaks a rule."""

    code: ClassVar[ErrorCode] = ErrorCode.INVALID

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field or None)
        self.field = field  # "" when it concerns the whole
        self.args = (f"{field}: {message}" if field else message,)

    def __str__(self) -> str:
        return str(self.args[0])

    def within(self, prefix: str) -> "InvalidRule":
        """The same error, its field named from an outer object."""
        if not prefix:
            return self
        joined = f"{prefix}.{self.field}" if self.field else prefix
        return InvalidRule(joined.replace(".[", "["), self.message)


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before, for a different request."""

    code: ClassVar[ErrorCode] = ErrorCode.IDEMPOTENCY_CONFLICT


class ConcurrentChange(DomainError):
    """Somebody changed the record while this request worked on it; retrying is safe."""

    code: ClassVar[ErrorCode] = ErrorCode.CONCURRENT_CHANGE


class StateError(DomainError):
    """The record is not in a state that allows this transition."""

    code: ClassVar[ErrorCode] = ErrorCode.ORDER_STATE
