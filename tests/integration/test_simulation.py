"""The simulation on real SQLite and PostgreSQL: a small crowd through the services, the
campaign archived, merchants enrolled and reviewed, and a second run counting nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.enrollment import Review
from dacu.entrypoints.cli_simulate import example_campaign, world_on
from dacu.services.simulation import simulate

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CUSTOMERS = 150


def run(world, seed=3):
    document, campaign = example_campaign(CUSTOMERS)
    return simulate(world, document, campaign, customers=CUSTOMERS, seed=seed, now=NOW)


def test_a_small_crowd_shops_through_the_services_and_the_campaign_is_archived(engine):
    # given the platform on a fresh database
    world = world_on(engine)
    # when a crowd of 150 goes through the campaign
    outcome = run(world)
    # then orders were placed, paid and refunded through the order store ...
    totals = outcome.board.totals
    assert totals.orders == outcome.tally["orders"] + outcome.tally.get("flash accepted", 0)
    assert totals.payments == outcome.tally["payments"] + outcome.tally.get("flash payments", 0)
    assert totals.refunds == outcome.tally.get("refunds", 0)
    assert totals.gmv > 0
    assert totals.uv == CUSTOMERS
    assert world.orders.funding()["platform"] == totals.platform_spend  # flash cuts: merchants'
    # ... merchants enrolled, the operator reviewed, one shop was not eligible ...
    reviewed = {e.sku: e.review for e in world.enrollments.of_campaign(outcome.campaign.id)}
    assert reviewed["A-COAT"] is Review.APPROVED
    assert reviewed["B-MASK"] is Review.REJECTED  # a 1% cut is not a campaign price
    assert "G-CHARGER" not in reviewed
    assert "quick-gadgets" in outcome.preparation.ineligible
    # ... and the finished campaign is in the case library with its targets judged
    case = world.cases.get(outcome.campaign.id)
    assert case is not None
    assert case.totals["gmv"] == totals.gmv
    assert [a.metric for a in case.achievements] == [
        "gmv",
        "sku_units",
        "new_users",
        "conversion_bp",
    ]


def test_the_same_seed_again_on_the_same_database_counts_nothing_new(engine):
    world = world_on(engine)
    first = run(world)
    funded = world.orders.funding()
    again = run(world)
    assert first.preparation.applied == 1
    assert again.preparation.applied is None
    assert again.events_counted == 0 < first.events_counted
    assert again.board.totals == first.board.totals
    assert world.orders.funding() == funded


def test_another_seed_plans_another_campaign(engine):
    world = world_on(engine)
    first = run(world, seed=3)
    other = run(world, seed=4)
    assert other.events_counted > 0
    assert other.board.totals.uv == 2 * CUSTOMERS  # new shoppers, the same campaign
    assert other.board.totals.gmv > first.board.totals.gmv


def test_shoppers_register_and_pay_through_the_provider_and_the_backup_takes_over_at_20(engine):
    # given the platform on a fresh database, when a crowd goes through the campaign
    world = world_on(engine)
    outcome = run(world)
    totals, tally = outcome.board.totals, outcome.tally
    # then new shoppers registered through the server, which counted them itself ...
    assert totals.registrations == totals.new_users == tally["registrations"] > 0
    # ... orders, payments and claims are the server's own events, not the storefront's
    # (with the red packets the growth mechanics gave: welcome, invites, lottery prizes)
    assert totals.coupon_claims >= tally["claims"] + tally["invites accepted"]
    assert outcome.facts_delivered > 0
    assert world.outbox.pending() == 0
    # ... payments went through the primary until it failed at 20:00, then the backup
    channels = outcome.channels
    assert channels.active == channels.backup
    assert tally[f"paid via {channels.primary}"] > 0
    assert tally[f"paid via {channels.backup}"] > 0
    assert (
        tally["payments"]
        == tally[f"paid via {channels.primary}"] + tally[f"paid via {channels.backup}"]
    )
    # ... and the switch stands on the campaign's dashboard
    switched = [alert for alert in outcome.board.alerts if alert.kind == "payment_switch"]
    assert [alert.subject for alert in switched] == [f"payment-channel:{channels.backup}"]
    assert switched[0].raised_at.astimezone(NOW.tzinfo).hour == 20


def test_the_growth_mechanics_run_through_their_services(engine):
    # given the platform, the campaign file with plan 000's mechanics turned on
    world = world_on(engine)
    outcome = run(world)
    campaign = outcome.campaign.id
    tally = outcome.tally
    # then members joined, some with a friend's invite code, signed in and drew the lottery
    assert tally["members joined (growth)"] > 0
    assert 0 < tally["invites accepted"] <= tally["invited members"]
    assert tally["sign-ins"] > 0
    assert tally["lottery draws"] > 0
    # the lottery never drew past its line, nor the coins past theirs
    growth = world.growth
    assert growth is not None
    lottery = growth.lottery.figures(campaign)
    assert lottery.draws == tally["lottery draws"]
    assert 0 <= lottery.budget_drawn <= outcome.campaign.growth.lines()["lottery"]
    # and the inviters are in the acquisition figures
    figures = growth.acquisition.figures(campaign, outcome.campaign.phases[0].window.starts_at)
    assert figures.invitees == tally["invites accepted"]


def test_the_planner_statistics_are_gathered_afresh_on_sqlite_only(engine):
    from sqlalchemy import text

    from dacu.entrypoints.cli_simulate import planner_statistics

    # given the platform on a database whose tables the run filled
    world = world_on(engine)
    run(world)
    analyze = world.statistics
    if engine.dialect.name != "sqlite":  # PostgreSQL analyzes its tables by itself
        assert analyze is None
        assert planner_statistics(engine) is None
        return
    # then the run gathered SQLite's statistics as its tables grew, and again on asking
    assert analyze is not None
    read = text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'lottery_draws'")
    with engine.connect() as connection:
        assert connection.execute(read).scalar_one() > 0
    analyze()
