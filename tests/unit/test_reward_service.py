"""`RewardService` over in-memory fakes: each kind given once per key, a top-up that the
provider refuses waits and is tried again, a prize ships only after its address, and
what passes its promise is alerted once."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.simulated_topups import SimulatedTopUps
from dacu.domain.errors import InvalidRule
from dacu.domain.fulfilment import RewardStateError, RewardStatus, UnknownReward
from dacu.domain.rewards import GivenStatus, Grant, Reward, RewardKind
from dacu.services.ports.topups import TopUpState
from dacu.services.rewards import RewardService
from tests.fakes.alerts import FakeAlerts
from tests.fakes.rewards import FakeCoins, FakeGrants, FakeRewardStore, Weekdays

MONDAY = datetime(2030, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Rig:
    def __init__(self, *answers: TopUpState) -> None:
        self.now = MONDAY
        self.store = FakeRewardStore(phones={"c-1": "+8613800138000"})
        self.coins, self.coupons, self.alerts = FakeCoins(), FakeGrants(), FakeAlerts()
        self.topups = SimulatedTopUps(list(answers or [TopUpState.CONFIRMED]))
        ids = (f"r-{n}" for n in itertools.count(1))
        self.service = RewardService(
            self.store, self.coupons, self.coins, self.topups, Weekdays(), self.alerts,
            lambda: self.now, lambda: next(ids),
        )  # fmt: skip

    def give(self, reward: Reward, key: str = "k") -> GivenStatus:
        return self.service.give(Grant(reward, "c-1", "camp", key, self.now, "lottery")).status


def test_each_kind_once_per_key():
    rig = Rig()
    coins = Reward(RewardKind.COINS, "3币", coins=3)
    coupon = Reward(RewardKind.COUPON, "券", coupon="t-1")
    assert rig.give(coins, "a") == rig.give(coins, "a") == GivenStatus.GIVEN
    assert rig.give(coupon, "b") == rig.give(coupon, "b") == GivenStatus.GIVEN
    assert rig.give(Reward(RewardKind.NOTHING), "c") == GivenStatus.NOTHING
    assert list(rig.coins.entries.values()) == [("c-1", 3)]
    assert rig.coupons.batches == {("t-1", "c-1", "b")}


def test_a_refused_coupon_is_tried_again_by_the_sweep():
    rig = Rig()
    rig.coupons.refuse = "out_of_stock"
    assert rig.give(Reward(RewardKind.COUPON, "券", coupon="t-1")) == GivenStatus.PENDING
    rig.coupons.refuse = None
    rig.now += timedelta(minutes=1)
    assert rig.service.sweep(rig.now) == {"delivered": 1, "overdue": 0}


def test_a_top_up_without_a_verified_phone_fails_and_is_due_in_three_working_days():
    rig = Rig()
    rig.store.phones.clear()
    assert rig.give(Reward(RewardKind.TOP_UP, "10元", 1000)) == GivenStatus.PENDING
    found = rig.store.rows["r-1"]
    assert (found.status, found.error) == (RewardStatus.FAILED, "no verified phone")
    assert found.due_at == MONDAY.replace(day=8, hour=0)  # Tue, Wed, Thu: due by Fri 00:00
    rig.now = MONDAY.replace(day=8, hour=0)
    assert rig.service.sweep(rig.now)["overdue"] == 1
    assert [a.kind for a in rig.alerts.alerts("reward:r-1")] == ["reward_overdue"]
    assert rig.topups.asked == []


def test_a_prize_ships_after_its_address_and_clears_its_alert():
    rig = Rig()
    prize = Reward(RewardKind.PHYSICAL, "加油卡", 10000)
    assert rig.give(prize) == GivenStatus.AWAITING_ADDRESS
    with pytest.raises(UnknownReward):
        rig.service.give_address("r-1", "c-2", "李华", "13800138000", "北京市朝阳区建国路88号")
    with pytest.raises(InvalidRule):
        rig.service.ship("r-1", "", "SF1", "ops")
    rig.service.give_address("r-1", "c-1", "李华", "13800138000", "北京市朝阳区建国路88号")
    rig.now += timedelta(days=7)
    assert rig.service.sweep(rig.now)["overdue"] == 1
    shipped = rig.service.ship("r-1", "顺丰", "SF1", "ops")
    assert shipped.status is RewardStatus.SHIPPED
    assert rig.alerts.alerts("reward:r-1", standing=True) == []
    assert rig.store.audited == [("ops", "reward.ship", "r-1")]
    with pytest.raises(RewardStateError):
        rig.service.ship("r-1", "顺丰", "SF1", "ops")
