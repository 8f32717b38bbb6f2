"""Events in, KPIs out, on real SQLite and PostgreSQL — every figure checked against
SQL written here over the raw events, independently of the rollups."""

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, text

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.domain.events import STOREFRONT_KINDS
from dacu.entrypoints.api import create_app
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.events import EventBatch
from dacu.schemas.yamlfile import load_yaml
from dacu.services import kpis
from tests.integration.conftest import NO_POSTGRES, POSTGRES_URL, postgres_engine
from tests.integration.http import serving
from tests.integration.kpi_events import shoppers

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
BURST = datetime(2026, 11, 11, 9, 0, tzinfo=SHANGHAI)
CAMPAIGN = "double11-2026"


def _apply(engine: Engine, budget: int | None = None) -> SqlCampaignStore:
    document = load_yaml((ROOT / "src/dacu/examples/double11.yaml").read_text("utf-8"))
    if budget is not None:
        document["budget"] = {"total": budget}
    store = SqlCampaignStore(engine)
    store.apply(*load_campaign(document), "ops-lihua", BURST)
    return store


def _ingest(engine: Engine, campaigns: SqlCampaignStore, raw: list[dict], size: int = 500):
    store, alerts = SqlKpiStore(engine), SqlAlertStore(engine)
    done = []
    for start in range(0, len(raw), size):
        batch = EventBatch.model_validate({"events": raw[start : start + size]}).to_domain()
        done.append(kpis.ingest(store, campaigns, alerts, batch, BURST))
    return done


def _board(engine: Engine, campaigns: SqlCampaignStore):
    campaign = campaigns.campaign(CAMPAIGN)
    return kpis.dashboard(SqlKpiStore(engine), SqlAlertStore(engine), campaign, BURST)


def _one(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), {"c": CAMPAIGN}).scalar_one() or 0)


def _hour_epoch(engine: Engine, column: str) -> str:
    if engine.dialect.name == "postgresql":
        return f"(floor(extract(epoch from {column}) / 3600) * 3600)::bigint"
    return f"(CAST(strftime('%s', {column}) AS INTEGER) / 3600 * 3600)"


def _independent(engine: Engine) -> dict:
    """The KPIs, straight from the raw events."""
    where = "campaign_id = :c"

    def count(kind: str) -> int:
        return _one(engine, f"SELECT count(*) FROM events WHERE {where} AND kind = '{kind}'")

    def distinct(kinds: str) -> int:
        return _one(
            engine,
            f"SELECT count(DISTINCT customer_id) FROM events WHERE {where} AND kind IN ({kinds})",
        )

    def money(kind: str, column: str = "amount") -> int:
        return _one(engine, f"SELECT sum({column}) FROM events WHERE {where} AND kind = '{kind}'")

    return {
        "events": _one(engine, f"SELECT count(*) FROM events WHERE {where}"),
        "pv": count("page_view"),
        "sku_views": count("sku_view"),
        "carts": count("add_to_cart"),
        "orders": count("order"),
        "ordered": money("order"),
        "payments": count("payment"),
        "gmv": money("payment"),
        "refunds": count("refund"),
        "refunded": money("refund"),
        "coupon_claims": count("coupon_claim"),
        "coupon_uses": count("coupon_use"),
        "registrations": count("registration"),
        "shares": count("share"),
        "errors": count("error"),
        "platform_spend": money("payment", "platform_funded") - money("refund", "platform_funded"),
        "uv": distinct("'page_view', 'sku_view'"),
        "active": _one(
            engine,
            f"SELECT count(DISTINCT customer_id) FROM events WHERE {where} AND kind <> 'error'",
        ),
        "carters": distinct("'add_to_cart'"),
        "orderers": distinct("'order'"),
        "payers": distinct("'payment'"),
        "claimers": distinct("'coupon_claim'"),
        "new_users": distinct("'registration'"),
        "repeat_buyers": _one(
            engine,
            f"SELECT count(*) FROM (SELECT customer_id FROM events WHERE {where} "
            "AND kind = 'payment' GROUP BY customer_id HAVING count(*) >= 2) AS twice",
        ),
    }


def _hourly(engine: Engine) -> dict[int, tuple[int, int, int, int]]:
    """Per hour: GMV, payments, visitors that hour, visitors first seen that hour."""
    hour = _hour_epoch(engine, "at")
    first = _hour_epoch(engine, "first_at")
    with engine.connect() as connection:
        money = connection.execute(
            text(
                f"SELECT {hour}, sum(amount), count(*) FROM events "
                "WHERE campaign_id = :c AND kind = 'payment' GROUP BY 1"
            ),
            {"c": CAMPAIGN},
        ).all()
        seen = connection.execute(
            text(
                f"SELECT {hour}, count(DISTINCT customer_id) FROM events WHERE campaign_id = :c "
                "AND kind IN ('page_view', 'sku_view') GROUP BY 1"
            ),
            {"c": CAMPAIGN},
        ).all()
        firsts = connection.execute(
            text(
                f"SELECT {first}, count(*) FROM (SELECT customer_id, min(at) AS first_at "
                "FROM events WHERE campaign_id = :c AND kind IN ('page_view', 'sku_view') "
                "GROUP BY customer_id) AS f GROUP BY 1"
            ),
            {"c": CAMPAIGN},
        ).all()
    found: dict[int, list[int]] = {}
    for epoch, gmv, payments in money:
        found.setdefault(int(epoch), [0, 0, 0, 0])[0:2] = [int(gmv), int(payments)]
    for epoch, visitors in seen:
        found.setdefault(int(epoch), [0, 0, 0, 0])[2] = int(visitors)
    for epoch, visitors in firsts:
        found.setdefault(int(epoch), [0, 0, 0, 0])[3] = int(visitors)
    return {epoch: tuple(values) for epoch, values in found.items()}


def _sku_units(engine: Engine) -> dict[str, tuple[int, int]]:
    if engine.dialect.name == "postgresql":
        sql = (
            "SELECT l->>0, sum((l->>1)::bigint), sum((l->>2)::bigint) FROM events, "
            "json_array_elements(lines) AS l WHERE campaign_id = :c AND kind = 'payment' "
            "GROUP BY 1"
        )
    else:
        sql = (
            "SELECT json_extract(l.value, '$[0]'), sum(json_extract(l.value, '$[1]')), "
            "sum(json_extract(l.value, '$[2]')) FROM events, json_each(events.lines) AS l "
            "WHERE campaign_id = :c AND kind = 'payment' GROUP BY 1"
        )
    with engine.connect() as connection:
        rows = connection.execute(text(sql), {"c": CAMPAIGN}).all()
    return {sku: (int(units), int(gmv)) for sku, units, gmv in rows}


def _check_against_raw(engine: Engine, board) -> None:
    expected = _independent(engine)
    totals = board.totals.as_dict()
    assert {name: totals[name] for name in expected} == expected
    hourly = {
        int(hour.timestamp()): (f.gmv, f.payments, f.uv_hour, f.uv) for hour, f in board.hourly
    }
    assert {k: v for k, v in hourly.items() if any(v)} == _hourly(engine)
    assert {s.sku: (s.units, s.gmv) for s in board.top_skus} == _sku_units(engine)
    assert board.totals.aov == expected["gmv"] // expected["payments"]
    assert board.totals.conversion_bp == expected["payers"] * 10000 // expected["uv"]
    assert board.totals.refund_rate_bp == expected["refunded"] * 10000 // expected["gmv"]
    channel_gmv = {str(k): v.gmv for k, v in board.channels.items()}
    with engine.connect() as connection:
        by_channel = dict(
            connection.execute(
                text(
                    "SELECT channel, sum(amount) FROM events WHERE campaign_id = :c "
                    "AND kind = 'payment' GROUP BY channel"
                ),
                {"c": CAMPAIGN},
            ).all()
        )
    assert {k: v for k, v in channel_gmv.items() if v} == {k: int(v) for k, v in by_channel.items()}
    assert sum(f.payers for f in board.segments.values()) == expected["payers"]


def test_kpis_equal_an_independent_computation_over_the_raw_events(engine):
    campaigns = _apply(engine)
    raw = shoppers(7, CAMPAIGN, 400, BURST)
    _ingest(engine, campaigns, raw, size=137)
    board = _board(engine, campaigns)
    assert board.totals.payments > 50
    assert board.totals.repeat_buyers > 0
    assert board.totals.refunds > 0
    assert len(board.hourly) >= 6
    _check_against_raw(engine, board)
    # the targets read the same figures: 达成率 against the campaign file's targets
    met = {a.metric: a.actual for a in board.achievements}
    assert met["gmv"] == board.totals.gmv
    assert met["new_users"] == board.totals.new_users
    phone = next(s for s in board.top_skus if s.sku == "P-PHONE")
    assert met["sku_units"] == phone.units


def test_a_batch_sent_again_counts_once_and_rebuilding_gives_the_same_rollups(engine):
    campaigns = _apply(engine)
    raw = shoppers(11, CAMPAIGN, 150, BURST)
    first = _ingest(engine, campaigns, raw, size=300)
    again = _ingest(engine, campaigns, raw[:450], size=200)  # a client retrying
    assert sum(d.accepted for d in first) == len(raw)
    assert sum(d.accepted for d in again) == 0
    assert sum(d.duplicates for d in again) == 450
    before = _board(engine, campaigns)
    _check_against_raw(engine, before)
    assert SqlKpiStore(engine).replay(CAMPAIGN, chunk=97) == len(raw)
    after = _board(engine, campaigns)
    assert after.totals == before.totals
    assert after.hourly == before.hourly
    assert after.top_skus == before.top_skus
    assert dict(after.channels) == dict(before.channels)


@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
def test_concurrent_overlapping_batches_count_once():
    with postgres_engine() as engine:
        campaigns = _apply(engine)
        raw = shoppers(23, CAMPAIGN, 300, BURST)
        errors: list[BaseException] = []

        def sender(offset: int) -> None:
            try:  # every sender sends everything, in batches cut differently
                _ingest(engine, campaigns, raw[offset:] + raw[:offset], size=120 + offset % 50)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=sender, args=(n * 97,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        _check_against_raw(engine, _board(engine, campaigns))


def test_budget_burn_from_the_ledger_and_rising_errors_raise_alerts_once(engine):
    from datetime import timedelta

    from dacu.bootstrap import bootstrap
    from dacu.domain.cart import Cart, CartLine, Customer
    from tests.integration.conftest import stock_example_goods

    platform = bootstrap(engine)
    campaigns = _apply(engine, budget=28_000)  # two carts' platform share: 100% of it
    stock_example_goods(platform)
    coats = Cart((CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),))
    at = datetime(2026, 11, 11, 20, 5, tzinfo=SHANGHAI)
    store, alerts = SqlKpiStore(engine), SqlAlertStore(engine)

    def buy(customer: str):
        order = platform.orders.checkout(coats, Customer(customer), "k", at)
        platform.orders.pay(order.id, at + timedelta(minutes=1))
        platform.outbox().deliver(at + timedelta(minutes=2))  # the paid event: alerts looked at
        return order

    first = buy("c1")  # 14,000 of 28,000
    assert alerts.alerts(CAMPAIGN, standing=True) == []
    buy("c2")  # the ledger says 28,000: past 80% and at 100%
    standing = {a.kind: a.level for a in alerts.alerts(CAMPAIGN, standing=True)}
    assert standing == {"budget_80": "warning", "budget_100": "critical"}
    assert len(alerts.alerts(CAMPAIGN)) == 2  # raised once each
    platform.orders.refund(first.id, "A-COAT", 1, "r1", at + timedelta(hours=1))
    platform.outbox().deliver(at + timedelta(hours=1, minutes=1))
    assert [a.kind for a in alerts.alerts(CAMPAIGN, standing=True)] == ["budget_80"]

    def event(n: int, kind: str) -> dict:
        return {"id": f"e{n}", "kind": kind, "campaign_id": CAMPAIGN, "customer_id": f"c{n}",
                "channel": "app", "segment": "new", "at": "2026-11-11T10:15:00+08:00"}  # fmt: skip

    def send(events: list[dict]) -> None:
        batch = EventBatch.model_validate({"events": events}).to_domain()
        kpis.ingest(store, campaigns, alerts, batch, BURST)

    send([event(10 + n, "page_view") for n in range(100)])
    send([event(200 + n, "error") for n in range(25)])
    assert "error_rate" in {a.kind for a in alerts.alerts(CAMPAIGN, standing=True)}
    board = _board(engine, campaigns)
    assert {a.kind for a in board.alerts} >= {"budget_80", "budget_100", "error_rate"}
    assert board.burn == 28_000 - 14_000 // 3


def test_events_and_kpis_over_http(engine):
    campaigns = _apply(engine)
    principals = SqlPrincipals(engine)
    front = principals.issue("shop-front", Role.STOREFRONT, frozenset(), BURST)
    ops = principals.issue("ops-lihua", Role.OPERATOR, frozenset(), BURST)
    shopper = principals.issue("u-1", Role.CONSUMER, frozenset(), BURST)
    everything = shoppers(5, CAMPAIGN, 60, BURST)
    raw = [e for e in everything if e["kind"] in STOREFRONT_KINDS]
    _ingest(engine, campaigns, [e for e in everything if e["kind"] not in STOREFRONT_KINDS])
    app = create_app(bootstrap(engine, clock=lambda: BURST))
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        auth = {"Authorization": f"Bearer {front}"}
        sent = http.post("/v1/events", json={"events": raw[:100]}, headers=auth)
        assert sent.status_code == 200
        assert sent.json() == {"accepted": 100, "duplicates": 0}
        again = http.post("/v1/events", json={"events": raw}, headers=auth)
        assert again.json() == {"accepted": len(raw) - 100, "duplicates": 100}
        paid = next(e for e in everything if e["kind"] == "payment")
        refused = http.post("/v1/events", json={"events": [dict(paid, id="p-1")]}, headers=auth)
        assert refused.status_code == 422
        assert refused.json()["error"]["field"] == "events[0].kind"
        bad = [dict(raw[0], id="bad-1"), dict(raw[1], id="bad-2", at="2026-11-11T25:00")]
        refused = http.post("/v1/events", json={"events": bad}, headers=auth)
        assert refused.status_code == 422
        assert "events" in refused.text
        assert "at" in refused.text
        unknown = [dict(raw[0], id="x-1", campaign_id="no-such")]
        refused = http.post("/v1/events", json={"events": unknown}, headers=auth)
        assert refused.status_code == 422
        assert refused.json()["error"]["field"] == "events[0].campaign_id"
        no_money = [dict(raw[0], id="x-2", kind="login", amount=5)]
        refused = http.post("/v1/events", json={"events": no_money}, headers=auth)
        assert refused.json()["error"]["field"] == "events[0].amount"
        shopper_auth = {"Authorization": f"Bearer {shopper}"}
        assert (
            http.post("/v1/events", json={"events": raw[:1]}, headers=shopper_auth).status_code
            == 403
        )
        kpi = http.get(f"/v1/campaigns/{CAMPAIGN}/kpis", headers={"Authorization": f"Bearer {ops}"})
        assert kpi.status_code == 200
        figures = kpi.json()
    assert _one(engine, "SELECT count(*) FROM events WHERE id LIKE 'bad-%' OR id LIKE 'x-%'") == 0
    board = _board(engine, campaigns)
    assert figures["totals"]["gmv"] == board.totals.gmv == _independent(engine)["gmv"]
    assert figures["totals"]["uv"] == board.totals.uv
    assert figures["hourly"][0]["hour"].endswith("+08:00")
    assert [t["metric"] for t in figures["achievements"]] == [
        "gmv",
        "sku_units",
        "new_users",
        "conversion_bp",
    ]
