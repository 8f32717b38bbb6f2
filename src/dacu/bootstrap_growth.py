"""The growth mechanics' part of the composition root (plan 000): one risk check and one
coin ledger shared by them all, the real reward giver behind the lottery, the lottery's
chance for a day of tasks done, and every fact listener put together."""

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from dacu.adapters.coin_store import SqlCoinLedger
from dacu.adapters.risk_deeds import SqlRiskDeeds
from dacu.bootstrap_acquisition import acquisition_of
from dacu.bootstrap_lottery import lottery_of
from dacu.bootstrap_rebates import rebates_of
from dacu.bootstrap_rewards import rewarding
from dacu.bootstrap_tasks import tasks_of
from dacu.domain.errors import DomainError
from dacu.domain.lottery import ChanceReason, chance_key
from dacu.services.budgets import BudgetService
from dacu.services.campaigns import CampaignService
from dacu.services.coin_rewards import CoinRewards
from dacu.services.coupons import CouponService
from dacu.services.goods import GoodsService
from dacu.services.lottery import LotteryService
from dacu.services.outbox import FactListener
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.customers import CustomerFacts
from dacu.services.ports.risk import RiskCheck
from dacu.services.risk import AllowAll
from dacu.services.risk_carry import CarriedVerdicts
from dacu.services.simulation.growth import GrowthWorld

if TYPE_CHECKING:
    from dacu.bootstrap import Platform


def growing(*parts: dict[str, Any]) -> dict[str, Any]:
    """`Platform` fields of several parts, their fact listeners put together."""
    fields: dict[str, Any] = {}
    listeners: tuple[FactListener, ...] = ()
    for part in parts:
        listeners += tuple(part.get("listeners", ()))
        fields |= {name: value for name, value in part.items() if name != "listeners"}
    return {**fields, "listeners": listeners}


def growth_of(
    engine: Engine,
    goods: GoodsService,
    coupons: CouponService,
    budgets: BudgetService,
    facts: CustomerFacts,
    alerts: Alerts,
    campaigns: CampaignService,
    clock: Callable[[], datetime],
    ids: Callable[[], str],
    risking: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields of the risk check, the coin ledger, acquisition, rebates, coins earning,
    tasks, rewards and redemptions. Every one of them asks the rules engine of `risking`
    (`bootstrap_risk.risk_of`), or `AllowAll` without it, through `CarriedVerdicts`: a
    reward triggered by an order or a registration carries that deed's verdict."""
    rules: RiskCheck = risking["risk"] if risking else AllowAll()
    risk, coins = CarriedVerdicts(rules, SqlRiskDeeds(engine)), SqlCoinLedger(engine)
    tasking = tasks_of(engine, campaigns, risk, goods, clock)
    funded = InviteCoins(engine, tasking.rewards, campaigns)
    acquisition = acquisition_of(engine, coupons, campaigns, budgets, risk, funded, clock, facts)
    return growing(
        risking or {},  # risk control's own fields (`bootstrap_risk.py`); `risk` is below
        {"coins": coins, "acquisition": acquisition},
        tasking.fields(),  # the risk check among them: the rules through `CarriedVerdicts`
        rebates_of(engine, campaigns, risk),
        rewarding(engine, coupons, coins, alerts, risk, campaigns, clock, ids),
    )


class InviteCoins(SqlCoinLedger):
    """The coin ledger as acquisition sees it: an inviter's coins go through `CoinRewards`
    (verified, risk-checked, drawn from the coins line, once per invitee) when the
    campaign gives coins; the ledger's own entry otherwise."""

    def __init__(self, engine: Engine, rewards: CoinRewards, campaigns: CampaignService) -> None:
        super().__init__(engine)
        self._rewards, self._campaigns = rewards, campaigns

    def earn(
        self, customer_id: str, coins: int, reason: str, key: str, at: datetime,
        campaign_id: str | None = None,
    ) -> bool:  # fmt: skip
        if campaign_id is None or self._campaigns.campaign(campaign_id).growth.coins is None:
            return super().earn(customer_id, coins, reason, key, at, campaign_id)
        invitee = key.removeprefix("invite:")
        try:
            return self._rewards.for_invite(campaign_id, customer_id, invitee, at).given
        except DomainError:  # the campaign closed, or the risk check refused
            return False


def chance_for_tasks(lottery: LotteryService) -> Callable[[str, str, date], None]:
    """`on_all_done`: a day with every task done grants the campaign's lottery its chance
    (完成所有日常任务 +1), once per day; a campaign without a lottery grants none."""

    def grant(campaign_id: str, customer_id: str, day: date) -> None:
        try:
            chances = lottery.lottery(campaign_id).chances.all_tasks
            key = chance_key(ChanceReason.ALL_TASKS, day)
            lottery.grant(campaign_id, customer_id, chances, ChanceReason.ALL_TASKS, key)
        except DomainError:  # no lottery in this campaign, or it is closed
            return

    return grant


class SimulatedClock:
    """A clock the simulation sets to each step's virtual time."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


def simulated_growth(platform: "Platform") -> GrowthWorld:
    """The growth services over the platform's stores, reading a clock the simulation
    sets (the rest of the platform is handed each step's time)."""
    clock = SimulatedClock(platform.clock())
    grown = growth_of(
        platform.engine, platform.goods, platform.coupons, platform.budgets,
        platform.customers, platform.alerts, platform.campaigns, clock, platform.new_id,
        {"risk": platform.risk},  # the platform's own check, asked at the step's time
    )  # fmt: skip
    lottery = lottery_of(
        platform.engine, None, platform.redis_prefix, platform.campaigns, grown["risk"],
        grown["coins"], platform.coupons, clock, platform.new_id, grown["rewards"],
    )  # fmt: skip
    grown["tasks"].on_all_done = chance_for_tasks(lottery)
    return GrowthWorld(
        grown["acquisition"], grown["tasks"], lottery, grown["redemptions"], grown["coins"],
        clock.set,
    )  # fmt: skip
