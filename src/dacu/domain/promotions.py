"""A promotion: a benefit bound to a level, a scope, a window and a funder."""

from dataclasses import dataclass
from datetime import datetime

from dacu.domain.benefits import ITEM_KINDS, THRESHOLD_KINDS, Benefit, Kind
from dacu.domain.cart import CartLine
from dacu.domain.errors import InvalidRule
from dacu.domain.rules import (
    ALWAYS,
    EVERYTHING,
    Level,
    Scope,
    Window,
    check_rate,
    default_platform_bp,
)
from dacu.domain.types import FULL_BP, Bp

_LEVELS: dict[Kind, frozenset[Level]] = {
    **{kind: frozenset({Level.ITEM}) for kind in ITEM_KINDS},
    Kind.BUNDLE: frozenset({Level.SHOP}),
    Kind.THRESHOLD_OFF: frozenset({Level.SHOP, Level.PLATFORM}),
    Kind.THRESHOLD_DISCOUNT: frozenset({Level.SHOP, Level.PLATFORM}),
    Kind.FIRST_ORDER_OFF: frozenset({Level.SHOP, Level.PLATFORM}),
    Kind.GIFT: frozenset(Level),
}


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    level: Level
    benefit: Benefit
    scope: Scope = EVERYTHING
    shop: str | None = None
    group: str | None = None
    exclusive: bool = False
    funding_bp: Bp | None = None
    window: Window = ALWAYS
    budget: str | None = None  # the campaign whose budget funds the platform's share

    def __post_init__(self) -> None:
        if self.level not in _LEVELS[self.kind]:
            allowed = ", ".join(sorted(_LEVELS[self.kind]))
            raise InvalidRule("level", f"{self.kind} promotions take level {allowed}")
        if self.level is Level.SHOP and not self.shop:
            raise InvalidRule("shop", "a shop-level promotion must name its shop")
        if self.funding_bp is not None:
            check_rate("funding.platform_bp", self.funding_bp)

    @property
    def kind(self) -> Kind:
        return self.benefit.kind

    @property
    def is_exclusive(self) -> bool:
        return self.exclusive or self.kind is Kind.FIRST_ORDER_OFF

    @property
    def is_threshold(self) -> bool:
        return self.kind in THRESHOLD_KINDS

    @property
    def platform_bp(self) -> Bp:
        if self.funding_bp is not None:
            return self.funding_bp
        if self.kind is Kind.FIRST_ORDER_OFF:
            return FULL_BP
        return default_platform_bp(self.level)

    def covers(self, line: CartLine) -> bool:
        return (self.shop is None or line.shop == self.shop) and self.scope.covers(line)

    def live_at(self, now: datetime) -> bool:
        return self.window.contains(now)
