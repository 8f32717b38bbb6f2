"""The lottery's rules: the pool a file may hold and the draw by weight among the prizes
open (in stock, within the budget left)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dacu.domain.errors import InvalidRule
from dacu.domain.lottery import ROLL_SPAN, Lottery, Prize, pick
from dacu.domain.rewards import Reward, RewardKind

THANKS = Prize("thanks", "谢谢参与", Reward(RewardKind.NOTHING), 50)
PHONE = Prize("phone-10", "10元话费", Reward(RewardKind.TOP_UP, value=1000), 30, stock=2)
FUEL = Prize("fuel-100", "100元加油卡", Reward(RewardKind.PHYSICAL, value=10000), 20, stock=1)


def test_a_pool_needs_a_prize_that_never_runs_out_and_costs_nothing():
    with pytest.raises(InvalidRule) as refused:
        Lottery((PHONE,), budget=10_000)
    assert refused.value.field == "prizes"


def test_a_prize_must_fit_in_the_budget():
    with pytest.raises(InvalidRule) as refused:
        Lottery((FUEL, THANKS), budget=5_000)
    assert refused.value.field == "prizes[0].reward.value"


def test_out_of_stock_and_over_budget_prizes_are_not_open():
    lottery = Lottery((PHONE, FUEL, THANKS), budget=20_000)
    assert lottery.open_prizes({}, 20_000) == [PHONE, FUEL, THANKS]
    assert lottery.open_prizes({"phone-10": 2}, 20_000) == [FUEL, THANKS]
    assert lottery.open_prizes({}, 9_999) == [PHONE, THANKS]


def test_rolls_split_the_span_by_weight():
    prizes = [PHONE, FUEL, THANKS]  # weights 30, 20, 50 of 100
    assert pick(prizes, 0) == PHONE
    assert pick(prizes, ROLL_SPAN * 30 // 100 - 1) == PHONE
    assert pick(prizes, ROLL_SPAN * 30 // 100 + 1) == FUEL
    assert pick(prizes, ROLL_SPAN // 2 + 1) == THANKS
    assert pick(prizes, ROLL_SPAN - 1) == THANKS


@given(st.lists(st.integers(1, 1000), min_size=1, max_size=8))
def test_each_prize_gets_its_weights_share_of_rolls(weights):
    prizes = [Prize(f"p{i}", "", Reward(RewardKind.NOTHING), w) for i, w in enumerate(weights)]
    total = sum(weights)
    running = 0
    for prize, weight in zip(prizes, weights, strict=True):
        # the rolls that draw this prize: those with running <= roll * total // 2^32 < running + w
        first = -(-running * ROLL_SPAN // total)
        last = -(-(running + weight) * ROLL_SPAN // total) - 1
        assert pick(prizes, first) == prize
        assert pick(prizes, last) == prize
        share = (last - first + 1) / ROLL_SPAN
        assert abs(share - weight / total) < 2 / ROLL_SPAN
        running += weight


def test_the_launch_campaign_runs_plan_000s_lottery():
    from pathlib import Path

    from dacu.schemas.campaigns import load_campaign
    from dacu.schemas.yamlfile import load_yaml

    path = Path(__file__).parents[2] / "src/dacu/examples/launch.yaml"
    _, campaign = load_campaign(load_yaml(path.read_text(encoding="utf-8")))
    lottery = campaign.growth.lottery
    assert lottery is not None
    assert (lottery.chances.first_visit, lottery.chances.daily_login) == (3, 1)
    assert lottery.chances.all_tasks == 1
    kinds = {p.id: p.reward.kind for p in lottery.prizes}
    assert kinds["phone-10"] is kinds["phone-20"] is kinds["phone-30"] is RewardKind.TOP_UP
    assert kinds["fuel-100"] is kinds["cinema"] is RewardKind.PHYSICAL
    assert kinds["thanks"] is RewardKind.NOTHING
    assert {RewardKind.COINS, RewardKind.COUPON} <= set(kinds.values())
    worst = sum(p.value * (p.stock or 0) for p in lottery.prizes)
    assert worst <= lottery.budget <= campaign.budget.total
