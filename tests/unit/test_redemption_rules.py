"""The redemption catalog's rules and the fulfilment promise in Chinese working days,
on 2026's calendar (National Day and its 调休 make-up Saturday)."""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.working_days import ChineseWorkingDays
from dacu.domain.errors import InvalidRule
from dacu.domain.fulfilment import Address, due_after, due_day
from dacu.domain.redemption import Redemption, RedemptionItem, check_qty
from dacu.domain.rewards import Reward, RewardKind
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAUNCH = Path(__file__).resolve().parents[2] / "src/dacu/examples/launch.yaml"
WORKDAYS = ChineseWorkingDays()


def _launch() -> dict:
    return load_yaml(LAUNCH.read_text(encoding="utf-8"))


def test_the_launch_file_holds_the_plans_catalog():
    _, campaign = load_campaign(_launch())
    rules = campaign.growth.redemption
    assert rules is not None
    found = {i.id: (i.coins, i.reward.kind, i.reward.value) for i in rules.items}
    assert found == {
        "topup-10": (1500, RewardKind.TOP_UP, 1000),
        "topup-15": (2000, RewardKind.TOP_UP, 1500),
        "topup-20": (3000, RewardKind.TOP_UP, 2000),
        "fuel-100": (10000, RewardKind.PHYSICAL, 10000),
    }
    assert campaign.growth.lines()["redemption"] == rules.budget > 0


def test_a_bad_item_is_refused_naming_its_field():
    document = _launch()
    document["growth"]["redemption"]["items"][1]["coins"] = 0
    with pytest.raises(InvalidRule) as refused:
        load_campaign(document)
    assert refused.value.field.startswith("growth.redemption.items")
    document = _launch()
    document["growth"]["redemption"]["items"][0]["reward"]["value"] = 0
    with pytest.raises(InvalidRule) as refused:
        load_campaign(document)
    assert refused.value.field == "growth.redemption.items[0].reward.value"


def test_an_item_listed_twice_and_an_unknown_item_are_refused():
    item = RedemptionItem("a", "A", 10, Reward(RewardKind.TOP_UP, "10元", 1000), 5)
    with pytest.raises(InvalidRule, match="twice"):
        Redemption((item, item))
    with pytest.raises(InvalidRule) as unknown:
        Redemption((item,)).item("b")
    assert unknown.value.field == "item"
    with pytest.raises(InvalidRule):
        check_qty(0)


@pytest.mark.parametrize(
    ("won", "due"),
    [
        (datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI), date(2026, 10, 10)),  # after 国庆
        (datetime(2026, 9, 10, 9, 0, tzinfo=SHANGHAI), date(2026, 9, 15)),  # Thu → Tue
        (datetime(2026, 9, 24, 9, 0, tzinfo=SHANGHAI), date(2026, 9, 30)),  # 中秋 25th
        (datetime(2026, 10, 9, 23, 0, tzinfo=SHANGHAI), date(2026, 10, 13)),  # Sat worked
    ],
)
def test_the_promise_is_three_chinese_working_days(won, due):
    moment = due_after(won, WORKDAYS.is_workday)
    assert due_day(moment) == due
    assert moment.astimezone(SHANGHAI).date() == due + timedelta(days=1)
    assert moment.astimezone(SHANGHAI).time() == datetime.min.time()


def test_an_address_is_checked():
    with pytest.raises(InvalidRule) as short:
        Address("李华", "+8613800138000", "北京")
    assert short.value.field == "address"
    with pytest.raises(InvalidRule) as nameless:
        Address(" ", "+8613800138000", "北京市朝阳区建国路88号")
    assert nameless.value.field == "name"


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday():
    assert WORKDAYS.is_workday(date(2040, 10, 1))  # a Monday, not yet announced
    assert not WORKDAYS.is_workday(date(2040, 10, 6))  # a Saturday
