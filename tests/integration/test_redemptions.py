"""Coin redemptions (赚币换购) on real SQLite and PostgreSQL: coins, stock, the budget line
and the rewards taken in one transaction, once per Idempotency-Key; refusals take
nothing; top-ups reach the provider with the member's verified phone."""

import pytest

from dacu.adapters.simulated_topups import SimulatedTopUps
from dacu.domain.budgets import BudgetSpent
from dacu.domain.coins import NotEnoughCoins
from dacu.domain.errors import IdempotencyConflict, InvalidRule
from dacu.domain.fulfilment import RewardStatus
from dacu.domain.redemption import ItemSoldOut, NotVerified, RedemptionLimitReached
from dacu.domain.risk import RiskBlocked, RiskDecision, Verdict
from dacu.services.redemptions import RedemptionService
from tests.integration.rewards_rig import LAUNCH, MID_SEPTEMBER, Clock, launched, member

pytestmark = pytest.mark.integration


@pytest.fixture
def clock():
    return Clock(MID_SEPTEMBER)


def _left(platform, item: str) -> int:
    found = platform.redemptions.catalog(LAUNCH)
    return next(e.left for e in found.items if e.item.id == item)


def test_a_redemption_spends_coins_takes_stock_draws_the_line_and_tops_up(engine, clock):
    topups = SimulatedTopUps()
    platform = launched(engine, clock, topups)
    member(platform, "c-1", coins=2000, phone="+8613800138000")
    done = platform.redemptions.redeem(LAUNCH, "c-1", "topup-10", 1, "k-1")
    assert (done.coins, done.value, len(done.rewards)) == (1500, 1000, 1)
    assert platform.coins.balance("c-1").balance == 500
    assert _left(platform, "topup-10") == 4999
    assert platform.redemptions.catalog(LAUNCH).drawn == 1000
    line = next(f for f in platform.budgets.lines(LAUNCH) if f.name == "redemption")
    assert (line.budget, line.drawn) == (20_000_000, 1000)  # the finance view's line
    reward = platform.rewards.one(done.rewards[0], "c-1")
    assert reward.status is RewardStatus.GIVEN
    assert topups.credited == {reward.id: ("+8613800138000", 1000)}
    again = platform.redemptions.redeem(LAUNCH, "c-1", "topup-10", 1, "k-1")
    assert again == done
    assert platform.coins.balance("c-1").balance == 500
    with pytest.raises(IdempotencyConflict):
        platform.redemptions.redeem(LAUNCH, "c-1", "topup-15", 1, "k-1")


def test_not_enough_coins_takes_nothing(engine, clock):
    platform = launched(engine, clock)
    member(platform, "c-1", coins=1499)
    with pytest.raises(NotEnoughCoins) as refused:
        platform.redemptions.redeem(LAUNCH, "c-1", "topup-10", 1, "k-1")
    assert refused.value.field == "coins"
    assert platform.coins.balance("c-1").balance == 1499
    assert _left(platform, "topup-10") == 5000
    assert platform.redemptions.catalog(LAUNCH).drawn == 0
    assert platform.rewards.mine("c-1") == []


def test_stock_limit_and_budget_each_stop_a_redemption_and_take_nothing(engine, clock):
    platform = launched(engine, clock, budget=2500)
    member(platform, "c-1", coins=100_000)
    platform.redemptions.redeem(LAUNCH, "c-1", "topup-15", 1, "a")
    with pytest.raises(BudgetSpent):
        platform.redemptions.redeem(LAUNCH, "c-1", "topup-15", 1, "b")  # 1500 + 1500 > 2500
    assert platform.coins.balance("c-1").balance == 98_000
    assert _left(platform, "topup-15") == 2999
    document = launched(engine, clock, budget=10**7)  # the same campaign, applied again
    document.redemptions.redeem(LAUNCH, "c-1", "fuel-100", 1, "c")
    with pytest.raises(RedemptionLimitReached):
        document.redemptions.redeem(LAUNCH, "c-1", "fuel-100", 1, "d")


def test_sold_out(engine, clock):
    one = {"id": "topup-10", "name": "10元话费", "coins": 1500, "stock": 1}
    one["reward"] = {"kind": "top_up", "name": "10元话费", "value": 1000}
    platform = launched(engine, clock, items=[one])
    member(platform, "c-1", coins=10_000)
    platform.redemptions.redeem(LAUNCH, "c-1", "topup-10", 1, "a")
    with pytest.raises(ItemSoldOut) as sold:
        platform.redemptions.redeem(LAUNCH, "c-1", "topup-10", 1, "b")
    assert sold.value.field == "item"
    assert platform.coins.balance("c-1").balance == 8500
    with pytest.raises(InvalidRule) as unknown:
        platform.redemptions.redeem(LAUNCH, "c-1", "topup-15", 1, "c")
    assert unknown.value.field == "item"


def test_only_verified_members_redeem_and_the_risk_check_comes_first(engine, clock):
    platform = launched(engine, clock)
    platform.profiles.put("c-0", clock(), phone="+8613900139000", phone_verified=False)
    with pytest.raises(NotVerified):
        platform.redemptions.redeem(LAUNCH, "c-0", "topup-10", 1, "a")
    member(platform, "c-1", coins=5000)

    class Says:
        def __init__(self, verdict):
            self.verdict = verdict

        def assess(self, query):
            assert query.action == "coin_redemption"
            assert (query.amount, query.subject) == (1000, "topup-10")
            return RiskDecision(self.verdict, "test")

    def with_risk(verdict) -> RedemptionService:
        return RedemptionService(
            platform.redemptions._store,
            platform.rewards,
            platform.redemptions._records,
            Says(verdict),
            platform.campaigns.campaign,
            platform.campaigns.is_open,
            clock,
            platform.new_id,
        )

    with pytest.raises(RiskBlocked):
        with_risk(Verdict.BLOCK).redeem(LAUNCH, "c-1", "topup-10", 1, "b")
    assert platform.coins.balance("c-1").balance == 5000
    held = with_risk(Verdict.REVIEW).redeem(LAUNCH, "c-1", "topup-10", 1, "c")
    assert held.held
    assert platform.rewards.one(held.rewards[0]).status is RewardStatus.HELD
