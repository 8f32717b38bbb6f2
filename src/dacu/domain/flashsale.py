"""Flash sales (秒杀): a hot SKU's stock, sold at 整点 to many buyers at once.

A `StockGate` decides each attempt atomically — window, stock, per-user
limit, idempotency by request id — and records a reservation; orders are
written from the reservations afterwards. Every backend must give the same
answers (tests/integration/test_stock_gate.py is their contract).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from dacu.domain.errors import InvalidRule


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    SOLD_OUT = "sold_out"
    OVER_LIMIT = "over_limit"
    NOT_STARTED = "not_started"
    ENDED = "ended"
    UNKNOWN_SALE = "unknown_sale"


class GateUnavailable(Exception):
    """The gate's store cannot be reached: nothing is sold until it can (fail closed)."""

    code = "gate_unavailable"


@dataclass(frozen=True, slots=True)
class FlashSale:
    id: str
    sku: str
    starts_at: datetime
    ends_at: datetime
    stock: int
    limit_per_user: int

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise InvalidRule("ends_at", "must be after starts_at")
        if self.stock < 0:
            raise InvalidRule("stock", "must not be negative")
        if self.limit_per_user < 1:
            raise InvalidRule("limit_per_user", "must be at least 1")


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reservation: str | None = None  # set when accepted: the reservation's id

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


class StockGate(Protocol):
    def open(self, sale: FlashSale) -> None:
        """Load a sale's stock and rules into the gate."""

    def attempt(
        self, sale_id: str, user_id: str, request_id: str, qty: int, now: datetime
    ) -> Decision:
        """Sell `qty` units to `user_id`, once per `request_id` (a retry gets the same answer)."""

    def release(self, sale_id: str, request_id: str) -> bool:
        """Give an unpaid reservation's units back; False if there is none."""

    def remaining(self, sale_id: str) -> int: ...

    def bought(self, sale_id: str, user_id: str) -> int: ...
