"""Giving rewards on real SQLite and PostgreSQL: once per key whatever the kind; a
top-up pending or refused is tried again by the sweep until the provider confirms;
a physical prize waits for an address, ships within 3 working days (audited), and
one past its promise is flagged and alerted once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from dacu.adapters.audit import history
from dacu.adapters.simulated_topups import SimulatedTopUps
from dacu.domain.errors import InvalidRule
from dacu.domain.fulfilment import RewardStateError, RewardStatus, UnknownReward, due_day
from dacu.domain.rewards import GivenStatus, Grant, Reward, RewardKind
from dacu.services.ports.topups import TopUpState
from tests.integration.rewards_rig import (
    LAUNCH,
    MID_SEPTEMBER,
    SHANGHAI,
    Clock,
    launched,
    member,
)

pytestmark = pytest.mark.integration

TOP_UP = Reward(RewardKind.TOP_UP, "10元话费", 1000)
FUEL = Reward(RewardKind.PHYSICAL, "100元加油卡", 10000)
ADDRESS = ("李华", "138 0013 8000", "北京市朝阳区建国路88号1号楼")


def _grant(reward: Reward, key: str, at: datetime, customer: str = "c-1") -> Grant:
    return Grant(reward, customer, LAUNCH, key, at, "lottery")


def test_each_kind_is_given_once_per_key_however_often_asked(engine):
    clock = Clock(MID_SEPTEMBER)
    topups = SimulatedTopUps()
    platform = launched(engine, clock, topups)
    member(platform, "c-1", phone="+8613800138000")
    grants = [
        _grant(Reward(RewardKind.COINS, "5币", coins=5), "lottery:1", clock()),
        _grant(Reward(RewardKind.COUPON, "5元红包", coupon="invite-red-5"), "lottery:2", clock()),
        _grant(TOP_UP, "lottery:3", clock()),
        _grant(FUEL, "lottery:4", clock()),
    ]
    with ThreadPoolExecutor(8) as pool:
        given = list(pool.map(platform.rewards.give, grants * 4))
    assert [g.status for g in given[:4]] == [
        GivenStatus.GIVEN,
        GivenStatus.GIVEN,
        GivenStatus.GIVEN,
        GivenStatus.AWAITING_ADDRESS,
    ]
    assert platform.coins.balance("c-1").balance == 5
    assert [c.template_id for c in platform.coupons.wallet("c-1")] == ["invite-red-5"]
    assert len(topups.credited) == 1
    assert len(platform.rewards.mine("c-1")) == 4


def test_a_top_up_is_pending_until_confirmed_and_a_refused_one_is_tried_again(engine):
    clock = Clock(datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI))
    topups = SimulatedTopUps([TopUpState.PENDING, TopUpState.FAILED, TopUpState.CONFIRMED])
    platform = launched(engine, clock, topups)
    member(platform, "c-1", phone="+8613800138000")
    first = platform.rewards.give(_grant(TOP_UP, "lottery:1", clock()))
    assert first.status is GivenStatus.PENDING
    found = platform.rewards.mine("c-1")[0]
    assert found.status is RewardStatus.PENDING
    assert due_day(found.due_at) == datetime(2026, 10, 10).date()  # after National Day
    clock.now += timedelta(minutes=5)
    assert platform.rewards.sweep(clock())["delivered"] == 0
    assert platform.rewards.one(found.id).status is RewardStatus.FAILED
    with pytest.raises(RewardStateError):
        platform.rewards.ship(found.id, "顺丰", "SF1", "ops-lihua")
    assert platform.rewards.retry(found.id).status is RewardStatus.GIVEN
    assert topups.credited == {found.id: ("+8613800138000", 1000)}
    assert platform.rewards.sweep(clock())["delivered"] == 0
    with pytest.raises(RewardStateError):
        platform.rewards.retry(found.id)


def test_a_top_up_past_its_promise_is_flagged_and_alerted_once(engine):
    clock = Clock(datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI))
    platform = launched(engine, clock, SimulatedTopUps([TopUpState.FAILED]))
    member(platform, "c-1")
    platform.rewards.give(_grant(TOP_UP, "lottery:1", clock()))
    clock.now = datetime(2026, 10, 10, 23, 0, tzinfo=SHANGHAI)
    assert platform.rewards.sweep(clock())["overdue"] == 0
    clock.now = datetime(2026, 10, 11, 0, 0, tzinfo=SHANGHAI)
    assert platform.rewards.sweep(clock())["overdue"] == 1
    assert platform.rewards.sweep(clock())["overdue"] == 0
    found = platform.rewards.mine("c-1")[0]
    assert found.overdue
    standing = platform.alerts.alerts(f"reward:{found.id}", standing=True)
    assert [a.kind for a in standing] == ["reward_overdue"]


def test_a_physical_prize_takes_an_address_then_ships_audited(engine):
    clock = Clock(datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI))
    platform = launched(engine, clock)
    member(platform, "c-1")
    member(platform, "c-2")
    platform.rewards.give(_grant(FUEL, "lottery:9", clock()))
    prize = platform.rewards.mine("c-1")[0]
    with pytest.raises(UnknownReward):
        platform.rewards.give_address(prize.id, "c-2", *ADDRESS)
    with pytest.raises(InvalidRule) as bad_phone:
        platform.rewards.give_address(prize.id, "c-1", "李华", "12345", ADDRESS[2])
    assert bad_phone.value.field == "phone"
    with pytest.raises(InvalidRule) as short:
        platform.rewards.give_address(prize.id, "c-1", "李华", ADDRESS[1], "北京")
    assert short.value.field == "address"
    with pytest.raises(RewardStateError):
        platform.rewards.ship(prize.id, "顺丰", "SF100", "ops-lihua")
    shipping = platform.rewards.give_address(prize.id, "c-1", *ADDRESS)
    assert shipping.status is RewardStatus.SHIPPING
    assert shipping.address.phone == "+8613800138000"
    assert due_day(shipping.due_at) == datetime(2026, 10, 10).date()
    with pytest.raises(RewardStateError):
        platform.rewards.give_address(prize.id, "c-1", *ADDRESS)
    assert [r.id for r in platform.rewards.queue(LAUNCH)] == [prize.id]
    shipped = platform.rewards.ship(prize.id, "顺丰", "SF100", "ops-lihua")
    assert (shipped.status, shipped.carrier, shipped.waybill) == ("shipped", "顺丰", "SF100")
    audited = history(platform.engine, f"reward:{prize.id}")
    assert [(e["actor"], e["action"]) for e in audited] == [("ops-lihua", "reward.ship")]
    assert platform.rewards.queue(LAUNCH) == []


def test_the_sweep_waits_longer_after_each_refusal(engine):
    clock = Clock(MID_SEPTEMBER)
    topups = SimulatedTopUps([TopUpState.FAILED])
    platform = launched(engine, clock, topups)
    member(platform, "c-1")
    platform.rewards.give(_grant(TOP_UP, "lottery:1", clock()))
    assert len(topups.asked) == 1
    for seconds, asked in ((10, 1), (31, 2), (60, 2), (92, 3), (150, 3), (213, 4)):
        clock.now = MID_SEPTEMBER + timedelta(seconds=seconds)
        platform.rewards.sweep(clock())
        assert len(topups.asked) == asked, seconds
    topups.answer(TopUpState.CONFIRMED)
    clock.now += timedelta(minutes=10)
    assert platform.rewards.sweep(clock())["delivered"] == 1
    assert platform.rewards.mine("c-1")[0].status is RewardStatus.GIVEN


def test_a_held_reward_is_given_only_when_released_audited(engine):
    clock = Clock(MID_SEPTEMBER)
    topups = SimulatedTopUps()
    platform = launched(engine, clock, topups)
    member(platform, "c-1")
    grant = _grant(TOP_UP, "lottery:1", clock())
    assert platform.rewards.hold(grant).status is GivenStatus.HELD
    assert platform.rewards.give(grant).status is GivenStatus.HELD  # still held
    assert topups.asked == []
    held = platform.rewards.mine("c-1")[0]
    assert platform.rewards.release(held.id, "risk-wang").status is RewardStatus.GIVEN
    assert len(topups.credited) == 1
    with pytest.raises(RewardStateError):
        platform.rewards.release(held.id, "risk-wang")
    audited = history(platform.engine, f"reward:{held.id}")
    assert [(e["actor"], e["action"]) for e in audited] == [("risk-wang", "reward.new")]
