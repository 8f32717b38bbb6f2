"""Daily tasks and sign-ins (每日任务, 每日签到; plan 000 §3–4): the file's `growth.tasks`.

A day is a calendar day in Asia/Shanghai. Each task is done at most once a
day, decided by the server from what it saw: a venue browsed (`browse_venue`:
the visit the server recorded with its own clock), a product shared
(`share_product`: a share the member made), an order paid (`place_order`: the
paid fact, its paid amount at least `min_paid`). Each task done earns its
coins once a day; a day with every task done fires the all-done hook (the
lottery's draw chance); a calendar month whose every day within the
campaign's span had every task done earns the month's coins once.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.rules import Window
from dacu.domain.types import Fen

SHANGHAI = ZoneInfo("Asia/Shanghai")


class TaskKind(StrEnum):
    BROWSE_VENUE = "browse_venue"  # 逛会场: a visit to the venue, recorded by the server
    SHARE_PRODUCT = "share_product"  # 分享商品: a share the member made
    PLACE_ORDER = "place_order"  # 下单: an order paid that day


@dataclass(frozen=True, slots=True)
class DailyTask:
    id: str
    name: str
    kind: TaskKind
    venue: str = ""  # browse_venue: the venue's id
    skus: tuple[str, ...] = ()  # share_product: the SKUs that count (none: any)
    min_paid: Fen = 0  # place_order: the least paid amount that counts

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidRule("id", "a task has an id")
        if self.kind is TaskKind.BROWSE_VENUE and not self.venue:
            raise InvalidRule("venue", "a browse_venue task names its venue")
        if self.min_paid < 0:
            raise InvalidRule("min_paid", "not negative")

    def done_by_share(self, sku: str) -> bool:
        return self.kind is TaskKind.SHARE_PRODUCT and (not self.skus or sku in self.skus)

    def done_by_payment(self, paid: Fen) -> bool:
        return self.kind is TaskKind.PLACE_ORDER and paid >= self.min_paid


@dataclass(frozen=True, slots=True)
class TaskRules:
    budget: Fen = 0  # its own budget line (share-to-get); task coins draw on `coins`
    tasks: tuple[DailyTask, ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for i, task in enumerate(self.tasks):
            if task.id in seen:
                raise InvalidRule(f"tasks[{i}].id", f"{task.id} is used twice")
            seen.add(task.id)

    def task(self, task_id: str) -> DailyTask:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise UnknownTask(task_id)

    def of_kind(self, kind: TaskKind) -> tuple[DailyTask, ...]:
        return tuple(task for task in self.tasks if task.kind is kind)


class UnknownTask(NotFound):
    """The campaign has no daily task of that id."""

    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_TASK
    noun: ClassVar[str] = "task"

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.field = "task_id"


class NotPhoneVerified(DomainError):
    """Coins and task rewards go only to members whose phone is verified."""

    code: ClassVar[ErrorCode] = ErrorCode.FORBIDDEN

    def __init__(self) -> None:
        super().__init__("only phone-verified members earn coins", "phone_verified")


def day_of(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("an aware moment")
    return moment.astimezone(SHANGHAI).date()


def day_start(day: date) -> datetime:
    """00:00:00 of `day` in Asia/Shanghai."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_days(day: date) -> list[date]:
    """Every day of `day`'s calendar month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return [date(day.year, day.month, n) for n in range(1, last + 1)]


def days_within(span: Window, day: date) -> int:
    """How many days of `day`'s calendar month lie within `span` (in Asia/Shanghai days,
    a day counting when any part of it is): what a full month of daily tasks means for
    that month in this campaign."""
    first = day_of(span.starts_at) if span.starts_at else date.min
    last = day_of(span.ends_at) if span.ends_at else date.max
    return sum(1 for d in month_days(day) if first <= d <= last)


def streak_after(yesterday_streak: int | None) -> int:
    """A sign-in's streak: one more than yesterday's, or 1 when yesterday had none."""
    return 1 if yesterday_streak is None else yesterday_streak + 1


def yesterday(day: date) -> date:
    return day - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SignIn:
    """One member's sign-in on one day: its streak and what it earned."""

    day: date
    streak: int
    coins: int
    status: str  # an `Award` value
    at: datetime


@dataclass(frozen=True, slots=True)
class TaskDone:
    """A daily task done on one day: when, on what evidence, and what it earned."""

    task_id: str
    day: date
    at: datetime
    source: str  # the venue visited, the SKU shared, the order paid
    coins: int
    status: str  # an `Award` value


# Every dataclass and enum of these rules, for the compiled form of a campaign
# (`adapters/campaign_codec.py`): a class not listed here cannot be stored.
CLASSES: tuple[type, ...] = (TaskRules, DailyTask)
ENUMS: tuple[type, ...] = (TaskKind,)
