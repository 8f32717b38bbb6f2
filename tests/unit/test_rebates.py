"""Merchant rebate rules without a database: the campaign file's numbers, which shops a
first order earns, what the risk check makes of an accrual, settlement and totals."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dacu.domain.acquisition import MerchantCodes
from dacu.domain.errors import InvalidRule
from dacu.domain.rebates import (
    Accrual,
    RebateKind,
    RebateStateError,
    RebateStatus,
    first_order_shops,
    paid_at_shops,
    settle,
    status_for,
    totals,
)
from dacu.domain.risk import Verdict
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 9, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
RULES = MerchantCodes(budget=10_000)


def _line(kind: RebateKind, status: RebateStatus, amount: int, key: str = "k") -> Accrual:
    return Accrual(key, kind, "tea", "c", "u", "o", 3000, amount, status, AT)


def test_the_launch_campaign_carries_plan_000s_merchant_code_numbers():
    document = load_yaml((ROOT / "src/dacu/examples/launch.yaml").read_text("utf-8"))
    _, campaign = load_campaign(json.loads(json.dumps(document, default=str)))
    rules = campaign.growth.merchant_codes
    assert rules is not None
    assert (rules.new_member_rebate, rules.first_order_rebate, rules.first_order_min) == (
        1000,
        100,
        3000,
    )
    assert rules.budget == 25_000_000
    assert campaign.growth.lines()["merchant_codes"] == rules.budget


def test_a_negative_rebate_is_refused_naming_it():
    with pytest.raises(InvalidRule) as refused:
        MerchantCodes(first_order_rebate=-1)
    assert refused.value.field == "first_order_rebate"


def test_thirty_yuan_at_a_shop_is_enough_and_each_shop_counts_its_own_part():
    paid = paid_at_shops([("tea", 2000), ("book", 2999), ("tea", 1000), ("pen", 5000)])
    assert paid == {"tea": 3000, "book": 2999, "pen": 5000}
    assert first_order_shops(RULES, paid) == ["pen", "tea"]
    assert first_order_shops(MerchantCodes(first_order_rebate=0), paid) == []


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 10_000)), max_size=8))
def test_a_shop_earns_exactly_when_its_lines_add_up_to_the_minimum(lines):
    paid = paid_at_shops(lines)
    assert sum(paid.values()) == sum(amount for _, amount in lines)
    earning = set(first_order_shops(RULES, paid))
    for shop in "abc":
        assert (shop in earning) == (sum(a for s, a in lines if s == shop) >= 3000)


def test_review_holds_and_block_refuses():
    assert status_for(Verdict.ALLOW) is RebateStatus.ACCRUED
    assert status_for(Verdict.REVIEW) is RebateStatus.HELD
    assert status_for(Verdict.BLOCK) is RebateStatus.REFUSED


def test_only_an_accrued_rebate_settles():
    accrued = _line(RebateKind.FIRST_ORDER, RebateStatus.ACCRUED, 100)
    assert settle(accrued).status is RebateStatus.SETTLED
    with pytest.raises(RebateStateError):
        settle(_line(RebateKind.FIRST_ORDER, RebateStatus.HELD, 100))


def test_totals_add_what_is_owed_apart_from_what_is_held_or_unfunded():
    lines = [
        _line(RebateKind.NEW_MEMBER, RebateStatus.ACCRUED, 1000, "a"),
        _line(RebateKind.NEW_MEMBER, RebateStatus.HELD, 1000, "b"),
        _line(RebateKind.FIRST_ORDER, RebateStatus.SETTLED, 100, "c"),
        _line(RebateKind.FIRST_ORDER, RebateStatus.UNFUNDED, 100, "d"),
        _line(RebateKind.FIRST_ORDER, RebateStatus.REVERSED, 100, "e"),
    ]
    found = totals("tea", "c", lines)
    assert (found.new_member, found.first_order, found.owed) == (1000, 100, 1100)
    assert (found.held, found.unfunded, found.reversed, found.settled) == (1000, 100, 100, 100)
    assert found.lines == 5
