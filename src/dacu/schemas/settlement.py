"""The campaign file's `settlement` section: subsidy policies and the settlement
calendar of plan 004 (`domain/settlement_policy.py`)."""

from pydantic import Field

from dacu.domain.errors import InvalidRule
from dacu.domain.settlement_policy import (
    AdRebate,
    CategoryTier,
    LogisticsSubsidy,
    SettlementPolicy,
)
from dacu.schemas.bounds import Bp, Fen, Id
from dacu.schemas.promotions import In


class CategoryTierIn(In):
    category: Id
    platform_bp: Bp


class AdRebateIn(In):
    rate_bp: Bp = 1500
    cap: Fen = 5_000_000


class LogisticsIn(In):
    by_size: dict[Id, Fen] = Field(max_length=20)
    carriers: list[Id] = Field(max_length=50)
    promise_hours: int = Field(48, ge=1, le=24 * 30)


class SettlementIn(In):
    due_days: int = Field(7, ge=1, le=60)
    appeal_days: int = Field(3, ge=1, le=30)
    review_over: Fen = 1_000_000
    tiers: list[CategoryTierIn] = Field(default_factory=list, max_length=200)
    ad_rebate: AdRebateIn | None = None
    logistics: LogisticsIn | None = None

    def to_domain(self) -> SettlementPolicy:
        """The policy in domain terms; raises InvalidRule naming `settlement.…`."""
        try:
            tiers = tuple(CategoryTier(t.category, t.platform_bp) for t in self.tiers)
            ad = None if self.ad_rebate is None else AdRebate(**self.ad_rebate.model_dump())
            logistics = None
            if self.logistics is not None:
                try:
                    logistics = LogisticsSubsidy(
                        dict(self.logistics.by_size),
                        tuple(self.logistics.carriers),
                        self.logistics.promise_hours,
                    )
                except InvalidRule as error:
                    raise error.within("logistics") from None
            return SettlementPolicy(
                self.due_days, self.appeal_days, self.review_over, tiers, ad, logistics
            )
        except InvalidRule as error:
            raise error.within("settlement") from None
