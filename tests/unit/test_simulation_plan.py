"""The simulation's plan, pure: the same seed plans the same crowd, shoppers don't depend on
the crowd's size, traffic peaks at the 整点 waves, and the tuned campaign stays valid."""

import random
from collections import Counter
from importlib import resources

import pytest

from dacu.domain.campaigns import Phase
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services.simulation.plan import demand, plan
from dacu.services.simulation.setup import flash_sale, tuned
from dacu.services.simulation.timeline import Timeline

EXAMPLE = load_yaml(resources.files("dacu").joinpath("examples/double11.yaml").read_text("utf-8"))


def campaign_for(customers):
    return load_campaign(tuned(EXAMPLE, customers))[1]


CAMPAIGN = campaign_for(1000)
TIMELINE = Timeline(CAMPAIGN)
SALE = flash_sale(CAMPAIGN, 1000)[0]


def crowd(seed, customers):
    return list(plan(seed, customers, TIMELINE, CAMPAIGN.coupons, SALE))


def test_the_same_seed_plans_the_same_crowd_and_another_seed_another():
    assert crowd(11, 200) == crowd(11, 200)
    assert crowd(12, 200) != crowd(11, 200)


def test_a_shopper_plans_the_same_whatever_the_size_of_the_crowd():
    assert crowd(11, 1000)[:50] == crowd(11, 50)


def test_the_burst_day_peaks_at_midnight_then_at_the_flash_sale_and_at_ten():
    burst = sorted(
        (hour for hour in TIMELINE.hours if hour.phase is Phase.BURST),
        key=lambda hour: hour.weight,
        reverse=True,
    )
    assert [hour.start.hour for hour in burst[:3]] == [0, 20, 10]
    assert burst[0].weight > 10 * max(h.weight for h in TIMELINE.hours if h.phase is Phase.WARM_UP)


def test_every_visit_falls_within_the_campaign_and_in_the_phase_it_names():
    for shopper in crowd(5, 300):
        for visit in shopper.visits:
            assert TIMELINE.starts_at <= visit.at <= TIMELINE.ends_at
            assert TIMELINE.phase_at(visit.at) is visit.phase


def test_the_flash_sku_is_sold_only_through_the_gate_during_the_flash_sale():
    for shopper in crowd(7, 2000):
        for visit in shopper.visits:
            if SALE.starts_at <= visit.at <= SALE.ends_at:
                assert SALE.sku not in dict(visit.carted)
        for tried in shopper.flash:
            assert SALE.starts_at <= tried.at <= SALE.ends_at
            assert tried.qty <= SALE.limit_per_user


def test_new_shoppers_claim_the_newcomer_red_packet_only_on_their_first_visit():
    claims = Counter()
    for shopper in crowd(9, 1000):
        for visit in shopper.visits:
            claims.update(visit.claims)
            if "newcomer-red-20" in visit.claims:
                assert visit.n == 1
                assert shopper.segment == "new"
    assert claims["newcomer-red-20"] > 0
    assert claims["warm-up-300-30"] > 0


def test_demand_counts_the_units_of_carts_checked_out():
    shoppers = crowd(3, 400)
    expected = Counter()
    for shopper in shoppers:
        for visit in shopper.visits:
            if visit.purchase is not None:
                for sku, qty in visit.carted:
                    expected[sku] += qty
    assert demand(shoppers) == expected
    assert sum(expected.values()) > 0


@pytest.mark.parametrize("customers", [1, 300, 20_000, 1_000_000])
def test_the_tuned_campaign_is_valid_and_scales_with_the_crowd(customers):
    campaign = campaign_for(customers)
    assert campaign.budget.total > 0
    assert sum(campaign.budget.departments.values()) <= campaign.budget.total
    assert all(target.value > 0 for target in campaign.targets)
    assert [p.promotion.id for p in campaign.promotions] == [
        p.promotion.id for p in load_campaign(EXAMPLE)[1].promotions
    ]


def test_timeline_moments_follow_the_hours_weights():
    rng = random.Random(1)
    hours = Counter(TIMELINE.hour_of(TIMELINE.moment(rng)).start for _ in range(20_000))
    busiest = max(TIMELINE.hours, key=lambda hour: hour.weight)
    quietest = min(TIMELINE.hours, key=lambda hour: hour.weight)
    assert hours[busiest.start] > 20 * hours[quietest.start]


@pytest.mark.parametrize("customers", [1, 10, 20, 49, 50, 20_000])
def test_the_example_with_its_growth_lines_loads_for_any_crowd(customers):
    from dacu.entrypoints.cli_simulate import example_campaign

    _, campaign = example_campaign(customers)  # `dacu simulate --customers N`
    budget = campaign.budget
    assert budget.carved <= budget.total - budget.total * budget.contingency_bp // 10_000
