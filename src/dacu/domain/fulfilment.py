"""Fulfilment of rewards: the record of each reward given, and its promise.

A top-up (话费) is due within `PROMISE_DAYS` Chinese working days of being won; a
physical prize within as many after the customer gave the address. Working days
are the calendar's (weekends, public holidays and the 调休 make-up days), told by
`is_workday`; the due moment is the start of the day after the last one, in
Asia/Shanghai.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule
from dacu.domain.rewards import GivenStatus, Reward
from dacu.domain.workdays import due_at

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROMISE_DAYS = 3
MAX_NAME, MAX_ADDRESS, MIN_ADDRESS = 32, 120, 6


class RewardStatus(StrEnum):
    NEW = "new"  # recorded, not yet handed on
    GIVEN = "given"  # in the account
    PENDING = "pending"  # asked of the top-up provider, not confirmed yet
    FAILED = "failed"  # the provider refused: tried again by the sweep
    AWAITING_ADDRESS = "awaiting_address"
    SHIPPING = "shipping"  # in the fulfilment queue
    SHIPPED = "shipped"  # with a carrier and a waybill
    HELD = "held"  # the risk check asked for a review
    NOTHING = "nothing"

    @property
    def given(self) -> GivenStatus:
        return _GIVEN.get(self, GivenStatus.PENDING)


_GIVEN = {
    RewardStatus.GIVEN: GivenStatus.GIVEN,
    RewardStatus.SHIPPED: GivenStatus.GIVEN,
    RewardStatus.AWAITING_ADDRESS: GivenStatus.AWAITING_ADDRESS,
    RewardStatus.SHIPPING: GivenStatus.SHIPPING,
    RewardStatus.HELD: GivenStatus.HELD,
    RewardStatus.NOTHING: GivenStatus.NOTHING,
}
OPEN = (RewardStatus.PENDING, RewardStatus.FAILED, RewardStatus.SHIPPING)  # promise running


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    phone: str  # E.164, checked by the service
    address: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.name.strip()) <= MAX_NAME:
            raise InvalidRule("name", f"1 to {MAX_NAME} characters")
        if not MIN_ADDRESS <= len(self.address.strip()) <= MAX_ADDRESS:
            raise InvalidRule("address", f"{MIN_ADDRESS} to {MAX_ADDRESS} characters")


@dataclass(frozen=True, slots=True)
class RewardRecord:
    id: str
    key: str
    customer_id: str
    campaign_id: str
    source: str
    reward: Reward
    status: RewardStatus
    created_at: datetime
    reference: str = ""
    due_at: datetime | None = None
    address: Address | None = None
    carrier: str = ""
    waybill: str = ""
    attempts: int = 0
    error: str = ""
    overdue: bool = False
    updated_at: datetime | None = None

    def late(self, now: datetime) -> bool:
        return self.status in OPEN and self.due_at is not None and now >= self.due_at


def retry_after(attempts: int) -> timedelta:
    """How long a refused top-up waits before it is tried again: 30 s, doubling, at most
    30 min."""
    return timedelta(seconds=min(30 * 2 ** max(0, attempts - 1), 1800))


def due_after(start: datetime, is_workday: Callable[[date], bool]) -> datetime:
    """The moment the promise of `PROMISE_DAYS` working days after `start` runs out."""
    return due_at(start, PROMISE_DAYS, is_workday)


def due_day(due_at: datetime) -> date:
    """The last working day of the promise."""
    return (due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date()


class UnknownReward(DomainError):
    """No such reward, or someone else's: the same answer."""

    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_REWARD

    def __init__(self, reward_id: str) -> None:
        super().__init__(f"no reward {reward_id}", "reward")


class RewardStateError(DomainError):
    """The reward is not in a state that allows this."""

    code: ClassVar[ErrorCode] = ErrorCode.REWARD_STATE

    def __init__(self, message: str) -> None:
        super().__init__(message, "status")
