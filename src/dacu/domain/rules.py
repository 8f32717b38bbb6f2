"""Where a promotion or coupon reaches: scope, window, who pays."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dacu.domain.cart import CartLine
from dacu.domain.errors import InvalidRule
from dacu.domain.types import FULL_BP, Bp


class Level(StrEnum):
    ITEM = "item"  # 单品级
    SHOP = "shop"  # 店铺级
    PLATFORM = "platform"  # 平台级 / 跨店


@dataclass(frozen=True, slots=True)
class Scope:
    """Which lines a rule reaches; every part given must match, none given means all."""

    skus: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    shops: frozenset[str] | None = None

    def covers(self, line: CartLine) -> bool:
        return (
            (self.skus is None or line.sku in self.skus)
            and (self.categories is None or line.category in self.categories)
            and (self.shops is None or line.shop in self.shops)
        )


EVERYTHING = Scope()


@dataclass(frozen=True, slots=True)
class Window:
    """The time a rule is live, both ends included; an open end is unbounded."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise InvalidRule("ends_at", "is before starts_at")

    def contains(self, now: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now <= self.ends_at
        )

    def ended(self, now: datetime) -> bool:
        """Whether `now` is past the end (an open end never passes)."""
        return self.ends_at is not None and now > self.ends_at


ALWAYS = Window()


def check_rate(field: str, rate: Bp) -> None:
    if not 0 <= rate <= FULL_BP:
        raise InvalidRule(field, f"must be between 0 and {FULL_BP} basis points")


def check_amount(field: str, amount: int) -> None:
    if amount < 0:
        raise InvalidRule(field, "must not be negative")


def default_platform_bp(level: Level) -> Bp:
    """Who pays when a rule does not say: the platform for its own rules."""
    return FULL_BP if level is Level.PLATFORM else 0
