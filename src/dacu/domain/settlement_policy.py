"""A campaign's subsidy and settlement policies (补贴政策, plan 004), from the campaign
file's `settlement` section.

- `tiers`: each category's tiered 满减 and the platform's share of it (平台承担 70%).
- `ad_rebate`: a share of a merchant's main-venue ad spend returned to its balance,
  capped per merchant (广告消耗 15%, 最高 5万元).
- `logistics`: fen per order of bulky goods by size class (3–8元), paid when the
  order is shipped with a designated carrier within the promise and delivered.
- the calendar: settlement due `due_days` Chinese working days after the campaign
  ends; an appeal answered within `appeal_days` working days; any payout line over
  `review_over` fen held for a two-person risk review.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from dacu.domain.errors import InvalidRule
from dacu.domain.types import FULL_BP, Bp, Fen


@dataclass(frozen=True, slots=True)
class CategoryTier:
    category: str
    platform_bp: Bp  # the platform's share of the category's tiered discounts

    def __post_init__(self) -> None:
        if not 0 <= self.platform_bp <= FULL_BP:
            raise InvalidRule("platform_bp", "must be between 0 and 10000")


@dataclass(frozen=True, slots=True)
class AdRebate:
    rate_bp: Bp = 1500
    cap: Fen = 5_000_000  # per merchant and campaign


@dataclass(frozen=True, slots=True)
class LogisticsSubsidy:
    by_size: Mapping[str, Fen] = field(default_factory=dict)  # size class → fen per order
    carriers: tuple[str, ...] = ()  # the designated carriers (指定物流服务商)
    promise_hours: int = 48  # shipped within this of payment (plan 002)

    def __post_init__(self) -> None:
        if not self.by_size:
            raise InvalidRule("by_size", "name at least one size class and its fen per order")
        if not self.carriers:
            raise InvalidRule("carriers", "name at least one designated carrier")
        if self.promise_hours <= 0:
            raise InvalidRule("promise_hours", "must be positive")


@dataclass(frozen=True, slots=True)
class SettlementPolicy:
    due_days: int = 7  # working days after the campaign ends (7个工作日内)
    appeal_days: int = 3  # working days to answer an appeal (3个工作日内)
    review_over: Fen = 1_000_000  # a payout line over this is reviewed first (1万元)
    tiers: tuple[CategoryTier, ...] = ()
    ad_rebate: AdRebate | None = None
    logistics: LogisticsSubsidy | None = None

    def __post_init__(self) -> None:
        if self.due_days < 1:
            raise InvalidRule("due_days", "must be at least one working day")
        if self.appeal_days < 1:
            raise InvalidRule("appeal_days", "must be at least one working day")
        seen = [t.category for t in self.tiers]
        if len(seen) != len(set(seen)):
            raise InvalidRule("tiers", "name each category once")

    def tier(self, category: str) -> CategoryTier | None:
        return next((t for t in self.tiers if t.category == category), None)


CLASSES: tuple[type, ...] = (SettlementPolicy, CategoryTier, AdRebate, LogisticsSubsidy)
