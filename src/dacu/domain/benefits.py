"""What each promotion kind gives: a unit price, a set price, a gift, or an order discount.

Kinds are small frozen dataclasses. Item kinds answer `unit_price`; the
threshold kinds live in `thresholds.py`. Each refuses, at construction, a
rule the pricing spec calls bad.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from dacu.domain.cart import CartMode, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.kinds import ITEM_KINDS, THRESHOLD_KINDS, Kind
from dacu.domain.money import apply_rate
from dacu.domain.rules import check_amount, check_rate
from dacu.domain.thresholds import (
    FirstOrderOff,
    OffTier,
    RateTier,
    Step,
    ThresholdBenefit,
    ThresholdDiscount,
    ThresholdOff,
)
from dacu.domain.types import Bp, Fen

__all__ = [
    "ITEM_KINDS",
    "THRESHOLD_KINDS",
    "Benefit",
    "Bundle",
    "DirectOff",
    "FirstOrderOff",
    "FlashPrice",
    "Gift",
    "GroupPrice",
    "ItemBenefit",
    "Kind",
    "MemberPrice",
    "OffTier",
    "PercentOff",
    "RateTier",
    "Step",
    "ThresholdBenefit",
    "ThresholdDiscount",
    "ThresholdOff",
]


# --- item kinds: a price per unit -------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlashPrice:
    kind: ClassVar[Kind] = Kind.FLASH_PRICE
    price: Fen
    limit_per_user: int | None = None

    def __post_init__(self) -> None:
        check_amount("price", self.price)
        if self.limit_per_user is not None and self.limit_per_user < 1:
            raise InvalidRule("limit_per_user", "must be at least 1")

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return True

    def unit_price(self, price: Fen, customer: Customer) -> Fen:
        return min(price, self.price)


@dataclass(frozen=True, slots=True)
class PercentOff:
    kind: ClassVar[Kind] = Kind.PERCENT_OFF
    discount_bp: Bp

    def __post_init__(self) -> None:
        check_rate("discount_bp", self.discount_bp)

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return True

    def unit_price(self, price: Fen, customer: Customer) -> Fen:
        return price - apply_rate(price, self.discount_bp)


@dataclass(frozen=True, slots=True)
class DirectOff:
    kind: ClassVar[Kind] = Kind.DIRECT_OFF
    off: Fen

    def __post_init__(self) -> None:
        check_amount("off", self.off)

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return True

    def unit_price(self, price: Fen, customer: Customer) -> Fen:
        return max(0, price - self.off)


@dataclass(frozen=True, slots=True)
class MemberPrice:
    kind: ClassVar[Kind] = Kind.MEMBER_PRICE
    tiers: Mapping[str, Bp]

    def __post_init__(self) -> None:
        if not self.tiers:
            raise InvalidRule("tiers", "needs at least one member tier")
        for tier, rate in self.tiers.items():
            check_rate(f"tiers.{tier}", rate)

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return customer.member_tier is not None and customer.member_tier in self.tiers

    def unit_price(self, price: Fen, customer: Customer) -> Fen:
        rate = self.tiers.get(customer.member_tier or "", 0)
        return price - apply_rate(price, rate)


@dataclass(frozen=True, slots=True)
class GroupPrice:
    kind: ClassVar[Kind] = Kind.GROUP_PRICE
    price: Fen

    def __post_init__(self) -> None:
        check_amount("price", self.price)

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return mode is CartMode.GROUP

    def unit_price(self, price: Fen, customer: Customer) -> Fen:
        return min(price, self.price)


ItemBenefit = FlashPrice | PercentOff | DirectOff | MemberPrice | GroupPrice


# --- shop kinds: sets and gifts ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bundle:
    kind: ClassVar[Kind] = Kind.BUNDLE
    skus: tuple[str, ...]
    price: Fen

    def __post_init__(self) -> None:
        check_amount("price", self.price)
        if not self.skus:
            raise InvalidRule("skus", "a bundle needs at least one SKU")
        if len(set(self.skus)) != len(self.skus):
            raise InvalidRule("skus", "a SKU is listed twice")

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Gift:
    kind: ClassVar[Kind] = Kind.GIFT
    threshold: Fen
    sku: str
    qty: int

    def __post_init__(self) -> None:
        check_amount("threshold", self.threshold)
        if self.qty < 1:
            raise InvalidRule("gift.qty", "must be at least 1")

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return True


Benefit = ItemBenefit | Bundle | Gift | ThresholdBenefit
