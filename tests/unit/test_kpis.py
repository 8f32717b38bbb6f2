"""KPI arithmetic on the pure core: events' rules, the fold, ratios, targets, alerts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dacu.domain.campaigns import Target
from dacu.domain.errors import InvalidRule
from dacu.domain.events import Channel, Event, EventKind, Line, Segment
from dacu.domain.kpis import Figures, SkuFigures, fold, ratio_bp, second_payment
from dacu.domain.review import achievements, budget_alerts, change_bp, errors_risen

AT = datetime(2026, 11, 11, 20, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def event(n: int, kind: EventKind, who: str = "c1", minutes: int = 0, **fields) -> Event:
    return Event(
        id=f"e{n}",
        kind=kind,
        campaign_id="d11",
        customer_id=who,
        channel=Channel.APP,
        segment=Segment.NEW,
        at=AT + timedelta(minutes=minutes),
        **fields,
    )


def test_an_event_names_what_its_kind_needs():
    with pytest.raises(InvalidRule) as error:
        event(1, EventKind.ADD_TO_CART)
    assert error.value.field == "sku"
    with pytest.raises(InvalidRule) as error:
        event(1, EventKind.PAYMENT, amount=100)
    assert error.value.field == "order_id"
    with pytest.raises(InvalidRule) as error:
        event(1, EventKind.LOGIN, amount=100)
    assert error.value.field == "amount"
    with pytest.raises(InvalidRule) as error:
        event(1, EventKind.PAYMENT, order_id="o", amount=100, lines=(Line("A", 1, 99),))
    assert error.value.field == "lines"
    with pytest.raises(InvalidRule) as error:
        Event("e", EventKind.LOGIN, "d11", "c", Channel.WEB, Segment.NEW, datetime(2026, 11, 11))
    assert error.value.field == "at"


def test_hours_are_whole_hours_whatever_the_zone_of_the_sender():
    assert event(1, EventKind.LOGIN).hour == datetime(2026, 11, 11, 12, tzinfo=ZoneInfo("UTC"))


def test_a_fold_counts_money_skus_and_the_earliest_event_of_each_person():
    folded = fold(
        [
            event(1, EventKind.PAGE_VIEW, minutes=30),
            event(2, EventKind.PAGE_VIEW, minutes=-30),  # earlier, sent later
            event(3, EventKind.SKU_VIEW, sku="P"),
            event(
                4,
                EventKind.PAYMENT,
                order_id="o1",
                amount=500,
                platform_funded=30,
                lines=(Line("P", 2, 400), Line("Q", 1, 100)),
            ),
            event(5, EventKind.REFUND, order_id="o1", amount=100, platform_funded=10),
        ]
    )
    totals = Figures.total(folded.cells.values())
    assert (totals.pv, totals.sku_views, totals.payments, totals.gmv) == (2, 1, 1, 500)
    assert (totals.refunded, totals.platform_spend) == (100, 20)
    assert folded.firsts[("d11", "uv", "c1")].id == "e2"
    assert folded.skus[("d11", "P")] == {"views": 1, "units": 2, "gmv": 400}
    assert totals.uv == 0  # distinct people are settled by the store, not the fold


def test_the_second_payment_makes_a_repeat_buyer_once():
    pays = [event(n, EventKind.PAYMENT, order_id=f"o{n}") for n in range(3)]
    assert second_payment(0, pays[:1]) is None
    assert second_payment(0, pays).id == "e1"
    assert second_payment(1, pays[:1]).id == "e0"
    assert second_payment(2, pays) is None


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_ratios_are_integer_basis_points_rounded_down(part, whole):
    found = ratio_bp(part, whole)
    if whole == 0:
        assert found == 0
    else:
        assert found * whole <= part * 10000 < (found + 1) * whole


def test_ratios_of_a_campaign():
    figures = Figures(
        uv=1000,
        carters=300,
        orderers=120,
        payers=100,
        gmv=1_000_000,
        payments=110,
        refunded=50_000,
        coupon_claims=400,
        coupon_uses=100,
        claimers=350,
        repeat_buyers=10,
    )
    assert figures.aov == 9090
    assert figures.conversion_bp == 1000
    assert (figures.view_to_cart_bp, figures.cart_to_order_bp, figures.order_to_pay_bp) == (
        3000,
        4000,
        8333,
    )
    assert (figures.refund_rate_bp, figures.use_rate_bp, figures.repurchase_bp) == (500, 2500, 1000)


def test_targets_read_their_own_figure():
    totals = Figures(gmv=150, uv=100, payers=3, new_users=5)
    done = achievements(
        [Target("gmv", 100), Target("conversion_bp", 300), Target("sku_units", 10, "P")],
        totals,
        {"P": SkuFigures("P", units=4)},
    )
    assert [(a.actual, a.achievement_bp, a.met) for a in done] == [
        (150, 15000, True),
        (300, 10000, True),
        (4, 4000, False),
    ]


def test_an_unknown_target_metric_is_refused_naming_the_field():
    with pytest.raises(InvalidRule) as error:
        Target("gvm", 100)
    assert error.value.field == "targets.metric"
    with pytest.raises(InvalidRule):
        Target("sku_units", 100)  # which SKU?


def test_budget_steps_and_error_rises():
    assert budget_alerts(79, 100) == []
    assert [kind for kind, _, _ in budget_alerts(80, 100)] == ["budget_80"]
    assert [kind for kind, _, _ in budget_alerts(100, 100)] == ["budget_80", "budget_100"]
    assert budget_alerts(100, 0) == []
    assert not errors_risen(Figures(events=100, errors=19))
    assert errors_risen(Figures(events=2000, errors=20))
    assert not errors_risen(Figures(events=10_000, errors=20))  # 0.2%: noise


def test_period_over_period_change():
    assert change_bp(150, 100) == 5000
    assert change_bp(50, 100) == -5000
    assert change_bp(5, 0) is None
