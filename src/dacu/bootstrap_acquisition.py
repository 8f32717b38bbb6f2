"""The composition root's part for acquisition (拉新): its store, the reward desk over
coupons, risk and the budgets' figures, and the live campaigns it rewards for."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from dacu.adapters.acquisition_store import SqlAcquisition
from dacu.domain.budgets import base_of
from dacu.domain.types import Fen
from dacu.services.acquisition import AcquisitionService
from dacu.services.acquisition_rewards import CouponGrants, OpenCampaigns, RewardDesk
from dacu.services.budgets import BudgetService
from dacu.services.campaigns import CampaignService
from dacu.services.ports.coins import CoinLedger
from dacu.services.ports.customers import CustomerFacts
from dacu.services.ports.risk import RiskCheck


def acquisition_of(
    engine: Engine,
    coupons: CouponGrants,
    campaigns: CampaignService,
    budgets: BudgetService,
    risk: RiskCheck,
    coins: CoinLedger,
    clock: Callable[[], datetime],
    customers: CustomerFacts,
) -> AcquisitionService:
    """Rewards for the open campaigns, within what their budgets have left, to
    phone-verified members only."""
    store = SqlAcquisition(engine)
    desk = RewardDesk(store, coupons, risk, budget_left(budgets, campaigns))
    open_now = OpenCampaigns(campaigns.live)
    return AcquisitionService(
        store, desk, open_now, coins, clock, lambda c: customers.facts(c).phone_verified
    )


def budget_left(budgets: BudgetService, campaigns: CampaignService) -> Callable[[str], Fen]:
    """What is left of a campaign's budget; a campaign without a cap never runs out."""

    def left(campaign_id: str) -> Fen:
        if base_of(campaigns.get(campaign_id).budget) is None:
            return UNCAPPED
        return budgets.figures(campaign_id).left

    return left


UNCAPPED: Fen = 10**15

__all__ = ["AcquisitionService", "acquisition_of"]
