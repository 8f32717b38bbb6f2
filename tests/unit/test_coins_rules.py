"""The coin rules of plan 000 §4 and daily-task days, pure: the coins' worth drawn to the
fen, refunds that never take more than the order earned, Asia/Shanghai day boundaries."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dacu.domain.coins_rules import CoinRules
from dacu.domain.errors import InvalidRule
from dacu.domain.rules import Window
from dacu.domain.tasks import DailyTask, TaskKind, TaskRules, day_of, days_within, streak_after

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAN = CoinRules(budget=10_000_000)


def test_the_plans_value_is_1500_coins_for_ten_yuan():
    assert PLAN.worth(1500) == 1000
    assert PLAN.worth(1499) == 999
    assert PLAN.for_paid(12_399) == 123
    assert PLAN.for_paid(99) == 0


@given(st.lists(st.integers(min_value=1, max_value=10_000), max_size=50))
def test_grants_draw_exactly_the_worth_of_all_coins_given(grants):
    given_so_far, drawn = 0, 0
    for coins in grants:
        drawn += PLAN.draw(given_so_far, given_so_far + coins)
        given_so_far += coins
    assert drawn == PLAN.worth(given_so_far)


@given(
    st.integers(min_value=0, max_value=10**7),
    st.lists(st.integers(min_value=1, max_value=10**6), max_size=30),
)
def test_partial_refunds_never_take_more_than_the_order_earned(paid, refunds):
    refunded, taken = 0, 0
    for amount in refunds:
        step = PLAN.refund_take(paid, refunded, refunded + amount)
        assert step >= 0
        taken += step
        refunded += amount
    assert taken <= PLAN.for_paid(paid)
    assert taken == PLAN.for_paid(paid) - PLAN.for_paid(paid - min(refunded, paid))


def test_rules_refuse_what_makes_no_sense():
    with pytest.raises(InvalidRule):
        CoinRules(value_coins=0)
    with pytest.raises(InvalidRule):
        CoinRules(per_task=-1)
    with pytest.raises(InvalidRule):
        DailyTask("browse", "逛会场", TaskKind.BROWSE_VENUE)
    task = DailyTask("t", "x", TaskKind.SHARE_PRODUCT)
    with pytest.raises(InvalidRule):
        TaskRules(tasks=(task, task))


def test_the_day_turns_at_midnight_in_shanghai_not_utc():
    assert day_of(datetime(2026, 9, 1, 23, 59, 59, tzinfo=SHANGHAI)) == date(2026, 9, 1)
    assert day_of(datetime(2026, 9, 2, 0, 0, 0, tzinfo=SHANGHAI)) == date(2026, 9, 2)
    assert day_of(datetime(2026, 9, 1, 15, 59, 59, tzinfo=UTC)) == date(2026, 9, 1)
    assert day_of(datetime(2026, 9, 1, 16, 0, 0, tzinfo=UTC)) == date(2026, 9, 2)


def test_a_full_month_is_every_day_of_it_within_the_campaign():
    span = Window(
        datetime(2026, 8, 25, tzinfo=SHANGHAI), datetime(2026, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)
    )
    assert days_within(span, date(2026, 9, 14)) == 30
    assert days_within(span, date(2026, 8, 31)) == 7
    assert days_within(span, date(2026, 10, 1)) == 0


def test_a_streak_is_one_more_than_yesterdays():
    assert streak_after(None) == 1
    assert streak_after(6) == 7


def test_tasks_are_done_only_by_what_counts_for_them():
    share = DailyTask("s", "分享", TaskKind.SHARE_PRODUCT, skus=("sku-1",))
    order = DailyTask("o", "下单", TaskKind.PLACE_ORDER, min_paid=3000)
    assert share.done_by_share("sku-1")
    assert not share.done_by_share("sku-2")
    assert order.done_by_payment(3000)
    assert not order.done_by_payment(2999)


def test_the_launch_campaign_file_carries_the_plans_coins_and_tasks():
    from pathlib import Path

    from dacu.schemas.campaigns import load_campaign
    from dacu.schemas.yamlfile import load_yaml

    root = Path(__file__).resolve().parents[2]
    text = (root / "src/dacu/examples/launch.yaml").read_text("utf-8")
    growth = load_campaign(load_yaml(text))[1].growth
    coins, tasks = growth.coins, growth.tasks
    assert coins is not None
    assert tasks is not None
    assert (coins.per_sign_in, coins.per_task, coins.per_full_month) == (1, 1, 5)
    assert (coins.per_yuan, coins.per_invite) == (1, 2)
    assert coins.worth(1500) == 1000  # 1500 智慧币 → 10元话费
    assert coins.budget > 0
    assert {task.kind for task in tasks.tasks} == set(TaskKind)
