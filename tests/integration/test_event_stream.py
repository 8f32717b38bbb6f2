"""Events through the Redis stream: kept durably, folded by a consumer group of writers
into the rollups exactly once — a writer killed mid-batch included — on SQLite and
PostgreSQL, every figure checked against SQL over the raw events."""

import httpx
import pytest

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.event_stream import RedisEventStream
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.bootstrap_events import event_folder
from dacu.domain.access import Role
from dacu.domain.events import STOREFRONT_KINDS
from dacu.entrypoints.api import create_app
from dacu.schemas.events import EventBatch
from dacu.services import kpis
from dacu.services.kpi_stream import EventFolder
from tests.integration.conftest import NO_REDIS, REDIS_URL, redis_keys
from tests.integration.http import serving
from tests.integration.kpi_events import shoppers
from tests.integration.test_kpis import BURST, CAMPAIGN, _apply, _board, _check_against_raw, _one

pytestmark = [pytest.mark.integration, pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)]


def _events(raw: list[dict]):
    return EventBatch.model_validate({"events": raw}).to_domain()


def test_a_writer_killed_mid_batch_leaves_every_event_counted_once(engine):
    campaigns = _apply(engine)
    raw = shoppers(13, CAMPAIGN, 300, BURST)
    store, alerts = SqlKpiStore(engine), SqlAlertStore(engine)
    with redis_keys() as (client, prefix):
        # given: the whole day on the stream in batches of 137, one of them sent twice
        stream = RedisEventStream(client, prefix)
        for start in range(0, len(raw), 137):
            stream.append(_events(raw[start : start + 137]), BURST)
        stream.append(_events(raw[:137]), BURST)  # a storefront retrying
        assert stream.lag(BURST).events == len(raw) + 137
        # when: writer A takes three batches, commits the first and half the second,
        # and dies before marking any done
        taken = stream.take("writer-a", 3, idle_ms=60_000)
        assert len(taken) == 3
        known = kpis.checked(campaigns, taken[0].events)
        kpis.record(store, alerts, known, taken[0].events, BURST)
        half = taken[1].events[: len(taken[1].events) // 2]
        kpis.record(store, alerts, kpis.checked(campaigns, half), half, BURST)
        assert stream.lag(BURST).pending == 3
        # then: writer B takes A's batches over (XAUTOCLAIM) and folds everything once
        b = EventFolder(stream, store, campaigns, alerts, "writer-b", lambda: BURST, idle_ms=0)
        assert b.drain() == len(raw) + 137
        lag = stream.lag(BURST)
        assert (lag.batches, lag.events, lag.pending) == (0, 0, 0)
        # and A, back from the dead, marking its batches done changes nothing
        stream.done(taken)
        assert stream.lag(BURST).events == 0
    assert _one(engine, "SELECT count(*) FROM events WHERE campaign_id = :c") == len(raw)
    board = _board(engine, campaigns)
    assert board.totals.events == len(raw)
    _check_against_raw(engine, board)


def test_storefront_batches_over_http_are_answered_202_and_folded_by_the_workers(engine):
    _apply(engine)
    principals = SqlPrincipals(engine)
    front = principals.issue("shop-front", Role.STOREFRONT, frozenset(), BURST)
    ops = principals.issue("ops-lihua", Role.OPERATOR, frozenset(), BURST)
    raw = [e for e in shoppers(5, CAMPAIGN, 80, BURST) if e["kind"] in STOREFRONT_KINDS]
    with redis_keys() as (_, prefix):
        platform = bootstrap(engine, clock=lambda: BURST, redis_url=REDIS_URL, redis_prefix=prefix)
        app = create_app(platform)
        with serving(app) as base, httpx.Client(base_url=base, timeout=30) as http:
            auth = {"Authorization": f"Bearer {front}"}
            sent = http.post("/v1/events", json={"events": raw[:100]}, headers=auth)
            assert sent.status_code == 202, sent.text
            assert sent.json().keys() == {"accepted", "entry"}  # duplicates: not known yet
            assert sent.json()["accepted"] == 100
            again = http.post("/v1/events", json={"events": raw}, headers=auth)
            assert again.status_code == 202
            # bad batches are refused before they reach the stream, naming the field
            paid = dict(raw[0], id="p-1", kind="payment", order_id="o-1", amount=100)
            refused = http.post("/v1/events", json={"events": [paid]}, headers=auth)
            assert refused.status_code == 422
            assert refused.json()["error"]["field"] == "events[0].kind"
            unknown = [dict(raw[0], id="x-1", campaign_id="no-such")]
            refused = http.post("/v1/events", json={"events": unknown}, headers=auth)
            assert refused.json()["error"]["field"] == "events[0].campaign_id"
            bad = [dict(raw[1], id="bad-2", at="2026-11-11T25:00")]
            refused = http.post("/v1/events", json={"events": bad}, headers=auth)
            assert refused.status_code == 422
            reader = {"Authorization": f"Bearer {ops}"}
            lag = http.get("/v1/events/lag", headers=reader).json()
            assert lag["streamed"] is True
            assert (lag["batches"], lag["events"]) == (2, 100 + len(raw))
            assert (
                http.get(f"/v1/campaigns/{CAMPAIGN}/kpis", headers=reader).json()["totals"][
                    "events"
                ]
                == 0
            )  # nothing folded yet
            # when: a worker's writer folds the stream
            folder = event_folder(platform, "worker-1", idle_ms=0)
            assert folder is not None
            assert folder.drain() == 100 + len(raw)
            figures = http.get(f"/v1/campaigns/{CAMPAIGN}/kpis", headers=reader).json()
            lag = http.get("/v1/events/lag", headers=reader).json()
        platform.close()
    assert (lag["batches"], lag["events"], lag["pending"]) == (0, 0, 0)
    assert figures["totals"]["events"] == len(raw)  # the first 100 counted once
    assert _one(engine, "SELECT count(*) FROM events WHERE id LIKE 'bad-%' OR id LIKE 'x-%'") == 0
    board = _board(engine, _apply(engine))
    assert figures["totals"]["uv"] == board.totals.uv


def test_the_servers_own_facts_reach_the_rollups_through_the_stream(engine):
    from datetime import datetime, timedelta

    from dacu.domain.cart import Cart, CartLine, Customer
    from tests.integration.conftest import stock_example_goods
    from tests.integration.test_kpis import SHANGHAI

    campaigns = _apply(engine)
    at = datetime(2026, 11, 11, 20, 5, tzinfo=SHANGHAI)
    with redis_keys() as (_, prefix):
        platform = bootstrap(engine, redis_url=REDIS_URL, redis_prefix=prefix)
        stock_example_goods(platform)
        coats = Cart((CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),))
        order = platform.orders.checkout(coats, Customer("c1"), "k-1", at)
        platform.orders.pay(order.id, at + timedelta(minutes=1))
        folder = event_folder(platform, "worker-1", idle_ms=0)
        assert folder is not None
        # the facts are delivered onto the stream (orders written behind first)
        writer = platform.checkout_writer("worker-1")
        for _ in range(50):
            if writer is not None:
                writer.drain()
            platform.outbox().deliver(at + timedelta(minutes=2))
            folder.drain()
            if _board(engine, campaigns).totals.payments:
                break
        assert platform.events is not None
        queue = platform.events.queue
        assert queue is not None
        lag = queue.lag(at)
        platform.close()
    board = _board(engine, campaigns)
    assert (board.totals.orders, board.totals.payments) == (1, 1)
    assert board.totals.gmv == order.payable
    assert (lag.batches, lag.events) == (0, 0)
    assert board.totals.events == _one(engine, "SELECT count(*) FROM events WHERE campaign_id = :c")


def test_a_batch_checked_in_place_is_refused_naming_the_field_an_event_would(engine):
    _apply(engine)
    front = SqlPrincipals(engine).issue("shop-front", Role.STOREFRONT, frozenset(), BURST)
    raw = [e for e in shoppers(3, CAMPAIGN, 40, BURST) if e["kind"] in STOREFRONT_KINDS]
    view = next(e for e in raw if e["kind"] == "sku_view")
    cases = {
        "events[1].sku": [raw[0], dict(view, id="s-1", sku=None)],
        "events[1].amount": [raw[0], dict(raw[1], id="m-1", platform_funded=5)],
        "events[0].amount": [dict(raw[0], id="m-2", lines=[{"sku": "A", "qty": 1, "amount": 0}])],
        "events[2].at": [raw[0], raw[1], dict(raw[2], id="t-1", at="2027-01-01T00:00:00+08:00")],
        "events[0].order_id": [dict(raw[0], id="o-1", kind="payment")],  # as an Event says
        "events[1].kind": [raw[0], dict(raw[1], id="o-2", kind="order", order_id="o-2")],
    }
    with redis_keys() as (_, prefix):
        platform = bootstrap(engine, clock=lambda: BURST, redis_url=REDIS_URL, redis_prefix=prefix)
        with serving(create_app(platform)) as base, httpx.Client(base_url=base) as http:
            auth = {"Authorization": f"Bearer {front}"}
            for field, events in cases.items():
                refused = http.post("/v1/events", json={"events": events}, headers=auth)
                assert refused.status_code == 422, (field, refused.text)
                assert refused.json()["error"]["field"] == field
            assert platform.events is not None
            assert platform.events.queue is not None
            lag = platform.events.queue.lag(BURST)
        platform.close()
    assert lag.batches == 0  # nothing refused reached the stream
