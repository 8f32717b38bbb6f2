"""The composition root's part for rewards: the giver and its fulfilment (the reward
record, the simulated top-up provider, the Chinese working-day calendar) and the coin
redemption catalog."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.redemption_store import SqlRedemptions
from dacu.adapters.reward_store import SqlRewardStore
from dacu.adapters.simulated_topups import SimulatedTopUps
from dacu.adapters.working_days import ChineseWorkingDays
from dacu.services.campaigns import CampaignService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.coins import CoinLedger
from dacu.services.ports.fulfilment import CouponGrants
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.topups import TopUps
from dacu.services.redemptions import RedemptionService
from dacu.services.rewards import RewardService


def rewards_of(
    engine: Engine,
    coupons: CouponGrants,
    coins: CoinLedger,
    alerts: Alerts,
    clock: Callable[[], datetime],
    ids: Callable[[], str],
    topups: TopUps | None = None,
) -> RewardService:
    """The reward giver over SQL; top-ups through `topups` (a simulated provider that
    confirms at once unless given another)."""
    return RewardService(
        SqlRewardStore(engine),
        coupons,
        coins,
        topups or SimulatedTopUps(),
        ChineseWorkingDays(),
        alerts,
        clock,
        ids,
    )


def redemptions_of(
    engine: Engine,
    rewards: RewardService,
    risk: RiskCheck,
    campaigns: CampaignService,
    clock: Callable[[], datetime],
    ids: Callable[[], str],
) -> RedemptionService:
    return RedemptionService(
        SqlRedemptions(engine),
        rewards,
        SqlRewardStore(engine),
        risk,
        campaigns.campaign,
        campaigns.is_open,
        clock,
        ids,
    )


def rewarding(
    engine: Engine,
    coupons: CouponGrants,
    coins: CoinLedger,
    alerts: Alerts,
    risk: RiskCheck,
    campaigns: CampaignService,
    clock: Callable[[], datetime],
    ids: Callable[[], str],
) -> dict[str, Any]:
    """The platform's `rewards` and `redemptions`, by field name."""
    rewards = rewards_of(engine, coupons, coins, alerts, clock, ids)
    return {
        "rewards": rewards,
        "redemptions": redemptions_of(engine, rewards, risk, campaigns, clock, ids),
    }


__all__ = ["RedemptionService", "RewardService", "redemptions_of", "rewarding", "rewards_of"]
