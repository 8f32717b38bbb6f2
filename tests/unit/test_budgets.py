"""Budgets as hard caps, in the pure core: the reserve, what may be drawn, what an order
draws and a refund gives back, releases, and amounts people type in yuan."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.budgets import BudgetFigures, BudgetSpent, base_of, draws, reserve_of
from dacu.domain.campaigns import Budget
from dacu.domain.errors import InvalidRule
from dacu.domain.money import fen_of_yuan
from dacu.domain.orders import Order, OrderLine, OrderStatus
from dacu.domain.pricing import Share

NOW = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_reserve_is_held_back_and_no_budget_means_no_cap():
    budget = Budget(500_000_000, 800)
    assert reserve_of(budget) == 40_000_000
    assert base_of(budget) == 460_000_000
    assert base_of(Budget(0)) is None


def test_an_order_draws_the_platform_part_of_each_funded_share_and_a_refund_gives_back():
    shares = (Share("full-300-50", 5000, 3500, 1500), Share("shop-coupon", 1000, 0, 1000))
    order = Order(
        "o-1",
        "u-1",
        (OrderLine("A-COAT", "north-wear", 3, 137700, 131700, shares),),
        (),
        OrderStatus.PAID,
        NOW,
        NOW + timedelta(minutes=15),
        funders={"full-300-50": "double11", "shop-coupon": "double11"},
        drawn={"double11": 3500},
    )
    assert order.draws() == {"double11": 3500}  # a merchant-only share draws nothing
    _, refund = order.refund("A-COAT", 1)
    assert order.given_back(refund) == {"double11": 3500 // 3}
    assert draws([Share("x", 10, 10, 0)], {}) == {}  # not funded by a budget


def test_releases_open_only_what_is_still_closed():
    figures = BudgetFigures("double11", 100_000, 10_000, 4_000, 90_000, 50_000)
    assert figures.cap == 94_000
    assert figures.left == 4_000
    figures.check_release(6_000)
    for wrong in (0, -5, 6_001, True):
        with pytest.raises(InvalidRule) as refused:
            figures.check_release(wrong)
        assert refused.value.field == "amount"
    with pytest.raises(InvalidRule):
        BudgetFigures("none", 0, 0, 0, 0, 0).check_release(1)


def test_a_spent_budget_names_its_campaigns():
    spent = BudgetSpent(["b", "a"])
    assert spent.campaigns == {"a", "b"}
    assert spent.field == "budget"
    assert "a, b" in spent.message


@pytest.mark.parametrize(
    ("text", "fen"),
    [("20", 2000), ("20.5", 2050), ("1,234.56", 123456), ("¥ 0.05", 5), (" 7.00 ", 700)],
)
def test_amounts_in_yuan_become_fen(text, fen):
    assert fen_of_yuan(text, "amount") == fen


@pytest.mark.parametrize("text", ["", "-1", "1.234", "1e3", "12,34", "١٢", "NaN", "1" * 14])
def test_anything_else_is_refused_naming_the_field(text):
    with pytest.raises(InvalidRule) as refused:
        fen_of_yuan(text, "amount")
    assert refused.value.field == "amount"


def test_a_campaign_whose_platform_funds_anything_needs_a_budget():
    from pathlib import Path

    from dacu.schemas.campaigns import load_campaign
    from dacu.schemas.yamlfile import load_yaml

    root = Path(__file__).resolve().parents[2]
    document = load_yaml((root / "src/dacu/examples/double11.yaml").read_text("utf-8"))
    document["budget"] = {"total": 0}
    with pytest.raises(InvalidRule) as refused:
        load_campaign(document)
    assert refused.value.field == "budget.total"
    document["promotions"], document["coupons"] = [], []
    assert load_campaign(document)[1].budget.total == 0  # nothing the platform funds


def test_growth_lines_are_carved_out_of_what_orders_may_draw():
    from dacu.domain.budgets import base_of
    from dacu.domain.campaigns import Budget

    assert base_of(Budget(100_000, 1000)) == 90_000
    assert base_of(Budget(100_000, 1000, carved=30_000)) == 60_000


def test_growth_lines_may_not_pass_the_budget_less_its_reserve():
    from pathlib import Path

    from dacu.schemas.campaigns import load_campaign
    from dacu.schemas.yamlfile import load_yaml

    root = Path(__file__).resolve().parents[2]
    document = load_yaml((root / "src/dacu/examples/launch.yaml").read_text("utf-8"))
    total = document["budget"]["total"]
    document["budget"]["contingency_bp"] = 1000
    campaign = load_campaign(document)[1]
    assert campaign.budget.carved == sum(campaign.growth.lines().values())
    assert campaign.budget.carved <= total * 9 // 10
    document["budget"]["total"] = campaign.budget.carved  # the reserve no longer fits
    if campaign.budget.carved:
        with pytest.raises(InvalidRule) as refused:
            load_campaign(document)
        assert refused.value.field == "growth"
