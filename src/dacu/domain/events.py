"""What shoppers do during a campaign, as events: the raw material of every KPI.

Storefronts and apps send what only they see — views, carts, shares, logins and
the errors a client met — in batches; each carries an id chosen by its sender,
so a batch sent twice counts once. What moves money or makes an account
(registrations, claims, orders, payments, refunds) only the server says: its
services write those as facts in their own transactions (`domain/facts.py`).
"""

from collections.abc import Iterable, Sized
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule
from dacu.domain.types import Fen


class EventKind(StrEnum):
    PAGE_VIEW = "page_view"  # 活动页 / 会场 visit
    SKU_VIEW = "sku_view"  # 商品浏览
    ADD_TO_CART = "add_to_cart"  # 加购
    ORDER = "order"  # 下单
    PAYMENT = "payment"  # 支付 (成交)
    REFUND = "refund"  # 退款
    ORDER_CANCELLED = "order_cancelled"  # 取消 (by the customer, or unpaid in time)
    COUPON_CLAIM = "coupon_claim"  # 领券
    COUPON_USE = "coupon_use"  # 用券 (核销)
    REGISTRATION = "registration"  # 注册 (new user)
    LOGIN = "login"
    SHARE = "share"  # 分享
    ERROR = "error"  # a failure a client met (payment failed, page error…)


class Channel(StrEnum):
    APP = "app"
    MINI_PROGRAM = "mini_program"  # 小程序
    WEB = "web"
    SHARE_LINK = "share_link"  # 分享链接


class Segment(StrEnum):
    NEW = "new"  # 新客
    RETURNING = "returning"  # 老客


_NEEDS_SKU = frozenset({EventKind.SKU_VIEW, EventKind.ADD_TO_CART})
_NEEDS_ORDER = frozenset(
    {EventKind.ORDER, EventKind.PAYMENT, EventKind.REFUND, EventKind.ORDER_CANCELLED}
)
_NEEDS_COUPON = frozenset({EventKind.COUPON_CLAIM, EventKind.COUPON_USE})
_HAS_LINES = frozenset({EventKind.ORDER, EventKind.PAYMENT, EventKind.REFUND})
VIEWS = frozenset({EventKind.PAGE_VIEW, EventKind.SKU_VIEW})
STOREFRONT_KINDS = frozenset(
    {
        EventKind.PAGE_VIEW,
        EventKind.SKU_VIEW,
        EventKind.ADD_TO_CART,
        EventKind.SHARE,
        EventKind.LOGIN,
        EventKind.ERROR,
    }
)
"""What a storefront may report; every other kind is the server's own (its outbox)."""


class Sighting(Protocol):
    """An event as far as its campaign's span is concerned: a domain `Event`, or one as
    a storefront sent it (read from its body, not built into an `Event`)."""

    @property
    def kind(self) -> "EventKind": ...
    @property
    def campaign_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...


class Sent(Sighting, Protocol):
    """A storefront's event as read from its body, every field within its bounds."""

    @property
    def sku(self) -> str | None: ...
    @property
    def amount(self) -> int: ...
    @property
    def platform_funded(self) -> int: ...
    @property
    def merchant_funded(self) -> int: ...
    @property
    def lines(self) -> Sized: ...


def storefront_fault(event: Sent) -> "InvalidRule | None":
    """What `Event` would refuse in a storefront kind's event whose fields are within
    their bounds (ids not empty, times aware, amounts not negative) — the same field named,
    in the same order — without building it; None when it holds."""
    if event.kind in _NEEDS_SKU and not event.sku:
        return InvalidRule("sku", f"a {event.kind} event names its SKU")
    if event.amount or event.platform_funded or event.merchant_funded or len(event.lines):
        return InvalidRule("amount", f"a {event.kind} event carries no money")
    return None


@dataclass(frozen=True, slots=True)
class Line:
    """One SKU of an order, payment or refund: units and what was paid for them."""

    sku: str
    qty: int
    amount: Fen


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    kind: EventKind
    campaign_id: str
    customer_id: str
    channel: Channel
    segment: Segment
    at: datetime
    sku: str | None = None
    order_id: str | None = None
    coupon: str | None = None
    amount: Fen = 0  # order total, amount paid, amount refunded
    platform_funded: Fen = 0  # the platform's share of the discount (refund: clawed back)
    merchant_funded: Fen = 0
    lines: tuple[Line, ...] = ()

    def __post_init__(self) -> None:
        for name in ("id", "campaign_id", "customer_id"):
            if not getattr(self, name):
                raise InvalidRule(name, "must not be empty")
        if self.at.tzinfo is None:
            raise InvalidRule("at", "needs a time zone (e.g. +08:00)")
        if self.kind in _NEEDS_SKU and not self.sku:
            raise InvalidRule("sku", f"a {self.kind} event names its SKU")
        if self.kind in _NEEDS_ORDER and not self.order_id:
            raise InvalidRule("order_id", f"a {self.kind} event names its order")
        if self.kind in _NEEDS_COUPON and not self.coupon:
            raise InvalidRule("coupon", f"a {self.kind} event names its coupon")
        money = self.amount or self.platform_funded or self.merchant_funded or self.lines
        if self.kind not in _HAS_LINES and money:
            raise InvalidRule("amount", f"a {self.kind} event carries no money")
        for name in ("amount", "platform_funded", "merchant_funded"):
            if getattr(self, name) < 0:
                raise InvalidRule(name, "must not be negative")
        for i, line in enumerate(self.lines):
            if not line.sku:
                raise InvalidRule(f"lines[{i}].sku", "must not be empty")
            if line.qty <= 0:
                raise InvalidRule(f"lines[{i}].qty", "must be positive")
            if line.amount < 0:
                raise InvalidRule(f"lines[{i}].amount", "must not be negative")
        if self.lines and sum(line.amount for line in self.lines) != self.amount:
            raise InvalidRule("lines", "amounts must add up to the event's amount")

    @property
    def hour(self) -> datetime:
        """The start of the hour the event fell in (UTC; every zone dacu serves is whole-hour)."""
        return hour_of(self.at)


REFUND_GRACE = timedelta(days=30)
"""Refunds of a campaign's orders may come in up to 30 days after its end (七天无理由 and more)."""
PAYMENT_GRACE = timedelta(days=1)
"""An order placed just before the end may be paid just after it, within its pay-by time."""


@dataclass(frozen=True, slots=True)
class Span:
    """When a campaign's events may happen: from its first phase's start to its last's end."""

    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, phases: Iterable[tuple[datetime | None, datetime | None]]) -> "Span":
        windows = list(phases)
        starts = [start for start, _ in windows if start is not None]
        ends = [end for _, end in windows if end is not None]
        if not starts or not ends:
            raise InvalidRule("phases", "a campaign's span needs a start and an end")
        return cls(min(starts), max(ends))

    def last_for(self, kind: EventKind) -> datetime:
        """The latest moment an event of `kind` may carry."""
        if kind is EventKind.REFUND:
            return self.ends_at + REFUND_GRACE
        if kind is EventKind.PAYMENT:
            return self.ends_at + PAYMENT_GRACE
        return self.ends_at

    def check(self, event: Sighting) -> None:
        """Raises InvalidRule naming `at` when the event falls outside the span."""
        last = self.last_for(event.kind)
        if not self.starts_at <= event.at <= last:
            raise InvalidRule(
                "at",
                f"{event.at.isoformat()} is outside campaign {event.campaign_id}'s span "
                f"({self.starts_at.isoformat()} to {last.isoformat()} for a {event.kind} event)",
            )

    def holds_hour(self, hour: datetime) -> bool:
        """Whether an hour of figures can belong to the campaign (refunds included)."""
        return hour_of(self.starts_at) <= hour <= self.ends_at + REFUND_GRACE


def hour_of(at: datetime) -> datetime:
    utc = at.astimezone(UTC)
    return utc - timedelta(minutes=utc.minute, seconds=utc.second, microseconds=utc.microsecond)


class EventsUnavailable(DomainError):
    """The event stream could not keep a batch as durably as configured: send it again."""

    code = ErrorCode.EVENTS_UNAVAILABLE
