"""Coins earned by sign-ins and daily tasks on SQLite and PostgreSQL: once per key and per
Asia/Shanghai day, only for verified members, funded by the coins line until it is spent."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from dacu.domain.campaigns import CampaignStateError
from dacu.domain.coins import CoinReason
from dacu.domain.coins_rules import Award
from dacu.domain.growth import line_id
from dacu.domain.tasks import NotPhoneVerified
from tests.integration.coins_rig import (
    CAMPAIGN,
    DAY_ONE,
    SHANGHAI,
    Clock,
    launch_platform,
    member,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def rig(engine):
    clock = Clock(DAY_ONE)
    return launch_platform(engine, clock), clock


def test_a_sign_in_earns_one_coin_once_a_day_and_a_retry_answers_the_same(rig):
    platform, _clock = rig
    member(platform, "c1")
    first, new = platform.tasks.sign_in(CAMPAIGN, "c1")
    again, repeated = platform.tasks.sign_in(CAMPAIGN, "c1")
    assert new
    assert not repeated
    assert (first.day, first.streak, first.coins, first.status) == (
        again.day,
        again.streak,
        again.coins,
        again.status,
    )
    assert (first.coins, first.status) == (1, Award.GIVEN)
    assert platform.coins.balance("c1").balance == 1


def test_streaks_count_consecutive_days_and_a_gap_starts_again(rig):
    platform, clock = rig
    member(platform, "c1")
    streaks = []
    for offset in (0, 1, 2, 4):
        clock.now = DAY_ONE + timedelta(days=offset)
        streaks.append(platform.tasks.sign_in(CAMPAIGN, "c1")[0].streak)
    assert streaks == [1, 2, 3, 1]
    calendar = platform.tasks.calendar(CAMPAIGN, "c1")
    assert calendar.signed_today
    assert calendar.streak == 1
    assert [s.day.day for s in calendar.days] == [1, 2, 3, 5]
    assert platform.coins.balance("c1").balance == 4


def test_the_day_turns_at_midnight_in_shanghai(rig):
    platform, clock = rig
    member(platform, "c1")
    clock.now = datetime(2026, 9, 2, 23, 59, 59, tzinfo=SHANGHAI)
    late, _ = platform.tasks.sign_in(CAMPAIGN, "c1")
    clock.now = datetime(2026, 9, 3, 0, 0, 0, tzinfo=SHANGHAI)
    early, new = platform.tasks.sign_in(CAMPAIGN, "c1")
    assert new
    assert (late.day.day, early.day.day) == (2, 3)
    assert early.streak == 2
    # 16:00 UTC on the 3rd is the 4th in Shanghai
    clock.now = datetime(2026, 9, 3, 16, 0, 0, tzinfo=UTC)
    assert platform.tasks.sign_in(CAMPAIGN, "c1")[0].day.day == 4
    assert platform.coins.balance("c1").balance == 3


def test_unverified_members_earn_nothing_and_leave_no_sign_in(rig):
    platform, _ = rig
    member(platform, "c2", verified=False)
    with pytest.raises(NotPhoneVerified):
        platform.tasks.sign_in(CAMPAIGN, "c2")
    assert platform.tasks.calendar(CAMPAIGN, "c2").days == ()
    assert platform.coins.balance("c2").balance == 0


def test_nothing_is_earned_outside_the_campaign(rig):
    platform, clock = rig
    member(platform, "c1")
    clock.now = datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)
    with pytest.raises(CampaignStateError):
        platform.tasks.sign_in(CAMPAIGN, "c1")


def test_concurrent_sign_ins_earn_once(rig):
    platform, _ = rig
    member(platform, "c1")
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: platform.tasks.sign_in(CAMPAIGN, "c1"), range(16)))
    assert [new for _, new in results].count(True) == 1
    assert {(s.streak, s.coins) for s, _ in results} == {(1, 1)}
    assert platform.coins.balance("c1").balance == 1


def test_every_task_of_a_day_earns_once_and_fires_the_hook_once_done(rig):
    platform, _ = rig
    member(platform, "c1")
    fired = []
    platform.tasks.on_all_done = lambda c, m, d: fired.append((c, m, d))
    platform.tasks.visit(CAMPAIGN, "c1", "browse-venue")
    platform.tasks.visit(CAMPAIGN, "c1", "browse-venue")
    campaign = platform.campaigns.campaign(CAMPAIGN)
    platform.tasks.order_paid(campaign, "c1", "o1", 3000, DAY_ONE)
    assert not fired
    sku = next(iter(_a_sku(platform)))
    day = platform.tasks.share(CAMPAIGN, "c1", "share-product", sku)
    assert day.all_done
    assert fired == [(CAMPAIGN, "c1", DAY_ONE.date())]
    assert [d is not None for _, d in day.tasks] == [True, True, True]
    assert platform.coins.balance("c1").balance == 3


def test_a_full_month_of_tasks_earns_five_once(rig):
    platform, clock = rig
    member(platform, "c1")
    campaign = platform.campaigns.campaign(CAMPAIGN)
    sku = next(iter(_a_sku(platform)))
    for n in range(30):
        clock.now = DAY_ONE + timedelta(days=n)
        platform.tasks.visit(CAMPAIGN, "c1", "browse-venue")
        platform.tasks.share(CAMPAIGN, "c1", "share-product", sku)
        platform.tasks.order_paid(campaign, "c1", f"o{n}", 100, clock.now)
    entries = platform.coins.entries("c1", limit=1000)
    assert [e.coins for e in entries if e.reason == CoinReason.FULL_MONTH] == [5]
    assert platform.coins.balance("c1").balance == 30 * 3 + 5
    assert platform.tasks.today(CAMPAIGN, "c1").month_days_done == 30


def test_the_coins_line_stops_earning_once_spent(engine):
    clock = Clock(DAY_ONE)
    platform = launch_platform(engine, clock, budget=2, value_coins=1, value_fen=1)
    for n in range(4):
        member(platform, f"c{n}")
    results = [platform.tasks.sign_in(CAMPAIGN, f"c{n}")[0] for n in range(4)]
    assert [s.status for s in results] == [Award.GIVEN] * 2 + [Award.BUDGET_SPENT] * 2
    figures = platform.coin_rewards.figures(CAMPAIGN)
    assert (figures.given, figures.drawn, figures.outstanding) == (2, 2, 2)
    assert dict(figures.by_status)[Award.BUDGET_SPENT] == 2


def test_concurrent_earnings_never_pass_the_line(engine):
    clock = Clock(DAY_ONE)
    platform = launch_platform(engine, clock, budget=5, value_coins=1, value_fen=1)
    for n in range(12):
        member(platform, f"c{n}")
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: platform.tasks.sign_in(CAMPAIGN, f"c{n}"), range(12)))
    given = [s for s, _ in results if s.status == Award.GIVEN]
    assert len(given) == 5
    with platform.engine.connect() as connection:
        from dacu.adapters.budget_store import SqlBudgets

        assert SqlBudgets(connection).drawn(line_id(CAMPAIGN, "coins"))[0] == 5


def test_the_line_draws_exactly_the_worth_of_the_coins_given(rig):
    platform, _ = rig
    for n in range(7):
        member(platform, f"c{n}")
        platform.tasks.sign_in(CAMPAIGN, f"c{n}")
    figures = platform.coin_rewards.figures(CAMPAIGN)
    assert figures.given == 7
    assert figures.drawn == 7 * 1000 // 1500 == figures.liability


def test_invite_coins_come_once_per_invitee(rig):
    platform, _ = rig
    member(platform, "inviter")
    first = platform.coin_rewards.for_invite(CAMPAIGN, "inviter", "new-1")
    again = platform.coin_rewards.for_invite(CAMPAIGN, "inviter", "new-1")
    assert first.status is Award.GIVEN
    assert again.status is Award.GIVEN
    assert platform.coins.balance("inviter").balance == 2


def _a_sku(platform) -> set[str]:
    from tests.integration.conftest import stock_example_goods

    stock_example_goods(platform)
    listing = platform.goods.listing()
    return {sku.id for sku in listing}


def test_a_visit_at_235959_and_one_at_midnight_count_on_two_days(rig):
    platform, clock = rig
    member(platform, "c1")
    clock.now = datetime(2026, 9, 2, 23, 59, 59, tzinfo=SHANGHAI)
    late = platform.tasks.visit(CAMPAIGN, "c1", "browse-venue")
    clock.now = datetime(2026, 9, 3, 0, 0, 0, tzinfo=SHANGHAI)
    before = platform.tasks.today(CAMPAIGN, "c1")
    early = platform.tasks.visit(CAMPAIGN, "c1", "browse-venue")
    assert (late.day.day, early.day.day) == (2, 3)
    assert before.tasks[0][1] is None  # a new day: not yet done
    assert early.tasks[0][1] is not None
    assert platform.coins.balance("c1").balance == 2
