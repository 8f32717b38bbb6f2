"""Threshold kinds (满减, 满折, 新人首单): an order discount on a running base.

Each answers `discount` on a base, `next_step` for 凑单 hints and `regime`
for the wallet search, and refuses at construction a rule the pricing spec
calls bad (tiers that do not strictly increase, an off not below its
threshold).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from dacu.domain.cart import CartMode, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.kinds import Kind
from dacu.domain.money import apply_rate
from dacu.domain.regime import Regime, cap_margin, tier_margin
from dacu.domain.rules import check_amount, check_rate
from dacu.domain.types import FULL_BP, Bp, Fen


@dataclass(frozen=True, slots=True)
class Step:
    """The next tier within reach: spend `add` more to save `extra_off` more."""

    add: Fen
    extra_off: Fen


@dataclass(frozen=True, slots=True)
class OffTier:
    threshold: Fen
    off: Fen


@dataclass(frozen=True, slots=True)
class RateTier:
    """满折 tier, reached by amount (`threshold`) or by units (`min_qty`)."""

    discount_bp: Bp
    threshold: Fen = 0
    min_qty: int = 0


def _check_increasing(values: Sequence[int], what: str) -> None:
    for i in range(1, len(values)):
        if values[i] <= values[i - 1]:
            raise InvalidRule(f"tiers[{i}].{what}", f"{what} must strictly increase across tiers")


def _capped(amount: Fen, cap: Fen | None) -> Fen:
    return amount if cap is None else min(amount, cap)


@dataclass(frozen=True, slots=True)
class ThresholdOff:
    kind: ClassVar[Kind] = Kind.THRESHOLD_OFF
    tiers: tuple[OffTier, ...]
    repeat: bool = False
    cap: Fen | None = None

    def __post_init__(self) -> None:
        if not self.tiers:
            raise InvalidRule("tiers", "needs at least one tier")
        for i, tier in enumerate(self.tiers):
            check_amount(f"tiers[{i}].threshold", tier.threshold)
            check_amount(f"tiers[{i}].off", tier.off)
            if tier.threshold and tier.off >= tier.threshold:
                raise InvalidRule(f"tiers[{i}].off", "must be below its threshold")
        _check_increasing([t.threshold for t in self.tiers], "threshold")
        _check_increasing([t.off for t in self.tiers], "off")
        if self.cap is not None:
            check_amount("cap", self.cap)
        if self.repeat and (len(self.tiers) != 1 or self.tiers[0].threshold == 0):
            raise InvalidRule("tiers", "a repeating 每满减 takes exactly one tier with a threshold")

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return True

    def _raw(self, base: Fen) -> Fen:
        if self.repeat:
            tier = self.tiers[0]
            return _capped(tier.off * (base // tier.threshold), self.cap)
        reached = [t.off for t in self.tiers if t.threshold <= base]
        return _capped(reached[-1], self.cap) if reached else 0

    def discount(self, base: Fen, qty: int) -> Fen:
        return min(self._raw(base), base)

    def regime(self, base: Fen, qty: int) -> Regime:
        raw = self._raw(base)
        if raw >= base and base > 0:
            return Regime(("all",), 0, FULL_BP)
        if self.repeat:
            step, off = self.tiers[0].threshold, self.tiers[0].off
            times = base // step
            if self.cap is not None and off * times >= self.cap:
                needed = -(-self.cap // off)
                return Regime(("cap",), base - needed * step, 0)
            return Regime(("times", times), min(base - times * step, step - 1 - base % step), 0)
        needs = [t.threshold for t in self.tiers]
        reached = sum(1 for n in needs if n <= base)
        return Regime(("tier", reached), tier_margin(base, needs), 0)

    def next_step(self, base: Fen, qty: int, unit: Fen) -> Step | None:
        if self.repeat:
            threshold = self.tiers[0].threshold
            target = threshold * (base // threshold + 1)
        else:
            ahead = [t.threshold for t in self.tiers if t.threshold > base]
            if not ahead:
                return None
            target = ahead[0]
        extra = self._raw(target) - self._raw(base)
        return Step(target - base, extra) if extra > 0 else None


@dataclass(frozen=True, slots=True)
class ThresholdDiscount:
    kind: ClassVar[Kind] = Kind.THRESHOLD_DISCOUNT
    tiers: tuple[RateTier, ...]
    by_qty: bool = False
    cap: Fen | None = None

    def __post_init__(self) -> None:
        if not self.tiers:
            raise InvalidRule("tiers", "needs at least one tier")
        for i, tier in enumerate(self.tiers):
            check_rate(f"tiers[{i}].discount_bp", tier.discount_bp)
            check_amount(f"tiers[{i}].threshold", tier.threshold)
            check_amount(f"tiers[{i}].min_qty", tier.min_qty)
        measure = "min_qty" if self.by_qty else "threshold"
        _check_increasing([self._needed(t) for t in self.tiers], measure)
        _check_increasing([t.discount_bp for t in self.tiers], "discount_bp")
        if self.cap is not None:
            check_amount("cap", self.cap)

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return True

    def _needed(self, tier: RateTier) -> int:
        return tier.min_qty if self.by_qty else tier.threshold

    def _rate(self, base: Fen, qty: int) -> Bp:
        have = qty if self.by_qty else base
        reached = [t.discount_bp for t in self.tiers if self._needed(t) <= have]
        return reached[-1] if reached else 0

    def discount(self, base: Fen, qty: int) -> Fen:
        return min(_capped(apply_rate(base, self._rate(base, qty)), self.cap), base)

    def regime(self, base: Fen, qty: int) -> Regime:
        rate = self._rate(base, qty)
        raw = apply_rate(base, rate)
        capped = self.cap is not None and raw >= self.cap
        margin = cap_margin(raw, self.cap, rate)
        if not self.by_qty:
            margin = min(margin, tier_margin(base, [t.threshold for t in self.tiers]))
        return Regime(("rate", rate, capped), margin, 0 if capped else rate)

    def next_step(self, base: Fen, qty: int, unit: Fen) -> Step | None:
        have = qty if self.by_qty else base
        ahead = [t for t in self.tiers if self._needed(t) > have]
        if not ahead:
            return None
        add = (ahead[0].min_qty - qty) * unit if self.by_qty else ahead[0].threshold - base
        extra = self.discount(base + add, ahead[0].min_qty) - self.discount(base, qty)
        return Step(add, extra) if add > 0 and extra > 0 else None


@dataclass(frozen=True, slots=True)
class FirstOrderOff:
    """新人首单: phone-verified customers on their first order; exclusive by nature."""

    kind: ClassVar[Kind] = Kind.FIRST_ORDER_OFF
    threshold: Fen
    off: Fen

    def __post_init__(self) -> None:
        check_amount("threshold", self.threshold)
        check_amount("off", self.off)
        if self.threshold and self.off >= self.threshold:
            raise InvalidRule("off", "must be below its threshold")

    def applies_to(self, customer: Customer, mode: CartMode) -> bool:
        return customer.first_order and customer.phone_verified

    def discount(self, base: Fen, qty: int) -> Fen:
        return min(self.off, base) if base >= self.threshold else 0

    def regime(self, base: Fen, qty: int) -> Regime:
        if base >= self.threshold and self.off >= base > 0:
            return Regime(("all",), 0, FULL_BP)
        return Regime(("reached", base >= self.threshold), tier_margin(base, [self.threshold]), 0)

    def next_step(self, base: Fen, qty: int, unit: Fen) -> Step | None:
        if base >= self.threshold:
            return None
        return Step(self.threshold - base, self.off)


ThresholdBenefit = ThresholdOff | ThresholdDiscount | FirstOrderOff
