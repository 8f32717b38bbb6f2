"""The server's own events on SQLite and PostgreSQL: written in the deed's transaction,
delivered to the KPI rollups once however many workers deliver, and the dashboard after
a real checkout, payment and refund over HTTP counts what the server did."""

import json
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.checkout_writer import CheckoutWriter
from dacu.adapters.gates import redis_client
from dacu.adapters.outbox_store import SqlOutboxFeed
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.tables import event_outbox, events
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.domain.coupons import Claimant, ClaimRefused, CouponUnavailable
from dacu.domain.events import EventKind
from dacu.domain.facts import registered
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services import kpis
from dacu.services.intake import DirectIntake
from dacu.services.outbox import OutboxDelivery
from tests.integration.conftest import NO_REDIS, REDIS_URL, intake_of, stock_example_goods
from tests.integration.payments_rig import NOW, Site, served

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = "double11-2026"


def _apply_example(engine: Engine) -> None:
    document = load_yaml((ROOT / "src/dacu/examples/double11.yaml").read_text("utf-8"))
    document = json.loads(json.dumps(document, default=str))
    SqlCampaignStore(engine).apply(*load_campaign(document), "ops-lihua", NOW - timedelta(days=5))


def _kinds(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.scalars(select(event_outbox.c.kind)))


def _count(engine: Engine, table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def site(engine):
    _apply_example(engine)
    with served(engine) as served_site:
        yield served_site


def test_a_checkout_that_rolls_back_leaves_no_event(engine):
    # given: an order whose coupon the database does not know (its lock fails in the
    # transaction that writes the order)
    platform = bootstrap(engine, clock=lambda: NOW)
    stock_example_goods(platform)
    cart = platform.goods.cart([("A-COAT", 1)])
    customer = platform.customers.facts("u-1")
    order = platform.orders.checkout(cart, customer, "k-1", NOW)
    assert _kinds(engine) == ["order"]  # a good checkout: its event with it
    bad = replace(order, id="o-bad", customer_id="u-9", coupons=("no-such-coupon",))
    intake = DirectIntake(lambda: SqlUnitOfWork(engine), platform.stock)

    # when: it is taken in
    with pytest.raises(CouponUnavailable):
        intake.accept(bad, "k-2", "fingerprint")

    # then: neither the order nor its event was written
    assert _kinds(engine) == ["order"]
    with SqlUnitOfWork(engine) as uow:
        uow.outbox.add(registered("u-2", NOW))
        uow.outbox.add(registered("u-2", NOW))  # the same deed twice: one fact
    assert _kinds(engine) == ["order", "registration"]


def test_the_dashboard_counts_what_the_server_did_over_http(site: Site):
    # given: an order of two coats, paid through the provider's callback, one refunded
    order = site.order("o-1", qty=2)
    started = site.start(order["id"])
    assert started.status_code == 201, started.text
    site.wait_paid(order["id"])
    refund = site.call(
        Role.SERVICE,
        "POST",
        f"/v1/orders/{order['id']}/refunds",
        headers={"Idempotency-Key": "r-1"},
        json={"sku": "A-COAT", "qty": 1},
    )
    assert refund.status_code == 201, refund.text
    assert _kinds(site.engine) == ["order", "payment", "refund"]

    # when: the API process's delivery has caught up
    deadline = time.monotonic() + 15
    while site.platform.outbox().pending():
        assert time.monotonic() < deadline, "the outbox was never delivered"
        time.sleep(0.1)
    board = site.call(Role.OPERATOR, "GET", f"/v1/campaigns/{CAMPAIGN}/kpis").json()

    # then: the figures are the server's
    totals = board["totals"]
    assert (totals["orders"], totals["ordered"]) == (1, order["payable"])
    assert (totals["payments"], totals["gmv"]) == (1, order["payable"])
    assert (totals["refunds"], totals["refunded"]) == (1, refund.json()["amount"])
    discounts = [share for line in order["lines"] for share in line["discounts"]]
    clawed = refund.json()["clawbacks"]
    platform_spend = sum(d["platform"] for d in discounts) - sum(c["platform"] for c in clawed)
    assert totals["platform_spend"] == platform_spend
    assert totals["payers"] == 1


def test_two_workers_deliver_each_fact_once(engine):
    # given: many facts waiting
    _apply_example(engine)
    platform = bootstrap(engine, clock=lambda: NOW)
    with SqlUnitOfWork(engine) as uow:
        uow.outbox.add(*(registered(f"u-{n}", NOW + timedelta(seconds=n)) for n in range(300)))

    # when: two workers deliver at once, in small batches
    def worker() -> None:
        feed = SqlOutboxFeed(engine)
        OutboxDelivery(feed, platform.kpis, platform.campaigns, platform.alerts, 7).deliver(NOW)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # then: every fact is delivered and counted once
    assert platform.outbox().pending() == 0
    assert _count(engine, events) == 300
    campaign = platform.campaigns.campaign(CAMPAIGN)
    board = kpis.dashboard(platform.kpis, platform.alerts, campaign, NOW)
    assert board.totals.registrations == board.totals.new_users == 300


def test_a_fact_leased_by_a_worker_that_died_is_delivered_by_another_once(engine):
    _apply_example(engine)
    platform = bootstrap(engine, clock=lambda: NOW)
    with SqlUnitOfWork(engine) as uow:
        uow.outbox.add(registered("u-1", NOW))
    feed = SqlOutboxFeed(engine)
    delivery = OutboxDelivery(feed, platform.kpis, platform.campaigns, platform.alerts)
    # a worker leased it, counted it, and died before marking it delivered
    leased = feed.claim(10, NOW, timedelta(minutes=2))
    assert len(leased) == 1
    delivery_events = delivery.events([fact for _, fact in leased])
    platform.kpis.record(delivery_events, NOW)
    assert feed.claim(10, NOW, timedelta(minutes=2)) == []  # held by its lease
    # its lease runs out: another worker delivers it, and it counts once
    assert delivery.deliver(NOW + timedelta(minutes=3)) == 1
    assert platform.outbox().pending() == 0
    assert _count(engine, events) == 1
    campaign = platform.campaigns.campaign(CAMPAIGN)
    assert EventKind.REGISTRATION in {e.kind for e in delivery_events}
    assert kpis.dashboard(platform.kpis, platform.alerts, campaign, NOW).totals.registrations == 1


def _facts(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        return [row.fact for row in connection.execute(select(event_outbox).order_by("id"))]


def test_a_claim_and_a_new_customer_are_facts_of_their_own_transactions(engine):
    # given: the example campaign live, and a customer created by the server
    _apply_example(engine)
    platform = bootstrap(engine, clock=lambda: NOW)
    platform.profiles.put("u-1", NOW, phone="13800000001", phone_verified=True)
    platform.profiles.put("u-1", NOW + timedelta(hours=1), member_tier="gold")  # not again
    # when: the customer claims one coupon (per_user_limit 1) twice with two requests
    claimant = Claimant("u-1")
    platform.coupons.claim("warm-up-300-30", claimant, "req-1", NOW)
    with pytest.raises(ClaimRefused):
        platform.coupons.claim("warm-up-300-30", claimant, "req-2", NOW)
    # then: one registration, one claim of the template's campaign; the refusal left none
    facts = _facts(engine)
    assert [(f["kind"], f["customer_id"]) for f in facts] == [
        ("registration", "u-1"),
        ("coupon_claim", "u-1"),
    ]
    assert facts[1]["campaign_id"] == CAMPAIGN
    assert facts[1]["coupon"] == "warm-up-300-30"
    # ... and delivered, both count for the campaign
    assert platform.outbox().deliver(NOW) == 2
    board = kpis.dashboard(
        platform.kpis, platform.alerts, platform.campaigns.campaign(CAMPAIGN), NOW
    )
    assert (board.totals.registrations, board.totals.coupon_claims) == (1, 1)


@pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)
def test_an_order_written_behind_is_placed_in_the_batch_that_writes_it(engine):
    with intake_of("redis") as (url, prefix):
        platform = bootstrap(engine, redis_url=url, redis_prefix=prefix, clock=lambda: NOW)
        stock_example_goods(platform)
        assert isinstance(platform.intake, RedisOrderIntake)
        cart = platform.goods.cart([("A-COAT", 1)])
        order = platform.orders.checkout(cart, platform.customers.facts("u-1"), "k-1", NOW)
        # taken in by Redis: not written, no fact yet
        assert _kinds(engine) == []
        # the writers write it: its fact with it, once however often it is written
        assert REDIS_URL
        CheckoutWriter(redis_client(REDIS_URL), platform.intake, "w1").run_once()
        platform.intake.write_through(order.id)
        assert _kinds(engine) == ["order"]
        assert _facts(engine)[0]["order_id"] == order.id
