"""Coupons (优惠券) and red packets (红包) a customer holds."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dacu.domain.cart import CartLine, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.money import apply_rate
from dacu.domain.regime import Regime, cap_margin, tier_margin
from dacu.domain.rules import EVERYTHING, Level, Scope, check_amount, check_rate
from dacu.domain.types import FULL_BP, Bp, Fen


class WalletKind(StrEnum):
    COUPON = "coupon"
    RED_PACKET = "red_packet"


@dataclass(frozen=True, slots=True)
class WalletItem:
    """满X减Y when `off` is set, a 折扣券 capped by `max_off` when `discount_bp` is."""

    id: str
    kind: WalletKind
    level: Level
    threshold: Fen
    expires_at: datetime
    off: Fen | None = None
    discount_bp: Bp | None = None
    max_off: Fen | None = None
    shop: str | None = None
    scope: Scope = EVERYTHING
    not_first_order: bool = False
    funding_bp: Bp | None = None
    budget: str | None = None  # the campaign whose budget funds the platform's share
    levels: tuple[str, ...] = ()  # its promotion and department budget lines, drawn too

    def __post_init__(self) -> None:
        check_amount("threshold", self.threshold)
        if (self.off is None) == (self.discount_bp is None):
            raise InvalidRule("off", "give exactly one of off and discount_bp")
        if self.off is not None:
            check_amount("off", self.off)
            if self.threshold and self.off >= self.threshold:
                raise InvalidRule("off", "must be below its threshold")
        if self.discount_bp is not None:
            check_rate("discount_bp", self.discount_bp)
        if self.max_off is not None:
            check_amount("max_off", self.max_off)
        if self.level is Level.ITEM:
            raise InvalidRule("level", "wallet items are shop or platform level")
        if self.level is Level.SHOP and not self.shop:
            raise InvalidRule("shop", "a shop coupon must name its shop")
        if self.kind is WalletKind.RED_PACKET and self.level is not Level.PLATFORM:
            raise InvalidRule("level", "red packets are platform level")
        if self.funding_bp is not None:
            check_rate("funding.platform_bp", self.funding_bp)

    @property
    def platform_bp(self) -> Bp:
        if self.funding_bp is not None:
            return self.funding_bp
        return FULL_BP if self.level is Level.PLATFORM else 0

    def usable(self, now: datetime, customer: Customer) -> bool:
        if now > self.expires_at:
            return False
        return not (self.not_first_order and customer.first_order)

    def covers(self, line: CartLine) -> bool:
        return (self.shop is None or line.shop == self.shop) and self.scope.covers(line)

    def regime(self, base: Fen) -> Regime:
        """How its discount behaves near `base` (see `Regime`)."""
        discount = self.discount(base)
        if discount >= base > 0:
            return Regime(("all",), 0, FULL_BP)
        margin = tier_margin(base, [self.threshold])
        if self.off is not None or discount == 0:
            return Regime(("reached", discount > 0), margin, 0)
        rate = self.discount_bp or 0
        capped = self.max_off is not None and discount >= self.max_off
        margin = min(margin, cap_margin(apply_rate(base, rate), self.max_off, rate))
        return Regime(("rate", capped), margin, 0 if capped else rate)

    def discount(self, base: Fen) -> Fen:
        """What it takes off a running base of its eligible lines, 0 below the threshold."""
        if base < self.threshold or base == 0:
            return 0
        if self.off is not None:
            return min(self.off, base)
        raw = apply_rate(base, self.discount_bp or 0)
        if self.max_off is not None:
            raw = min(raw, self.max_off)
        return min(raw, base)
