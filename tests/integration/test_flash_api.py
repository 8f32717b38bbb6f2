"""Flash sales over HTTP: the SQL gate on SQLite and PostgreSQL, and Redis with
PostgreSQL as the record — where buying and "my reservation" read no database."""

import threading
import time
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from dacu.adapters.behind import BEHIND
from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.conftest import (
    CLUSTER_PG,
    POSTGRES,
    REDIS_PG,
    postgres_engine,
    redis_keys,
    redis_url_of,
    sqlite_engine,
)
from tests.integration.flash_campaign import CAMPAIGN, live_campaign
from tests.integration.http import serving
from tests.integration.test_api import Clock, call

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SALE = {
    "id": "fs-phone-20h",
    "campaign_id": CAMPAIGN,
    "sku": "P-PHONE",
    "title": "旗舰手机 整点秒杀",
    "starts_at": "2026-11-11T20:00:00+08:00",
    "ends_at": "2026-11-11T20:59:59+08:00",
    "stock": 3,
    "limit_per_user": 2,
    "price": 359900,
    "safety_stock": 1,
    "pay_within_s": 600,
    "user_rate": 3,
    "platform_bp": 5000,  # the platform funds half of the cut (399,900 − 359,900 a unit)
}


class Site:
    def __init__(self, base, tokens, clock, engine, writer, platform=None):
        self.base, self.tokens, self.clock, self.engine, self.writer = (
            base,
            tokens,
            clock,
            engine,
            writer,
        )
        self.platform = platform

    def call(self, who: str, method: str, path: str, **kwargs):
        return call(self.base, self.tokens[who], method, path, **kwargs)

    def buy(self, who: str, request_id: str, qty: int = 1):
        body = {"request_id": request_id, "qty": qty}
        return self.call(who, "POST", "/v1/flash-sales/fs-phone-20h/attempts", json=body)

    def written(self) -> None:
        while self.writer is not None and self.writer.write():
            pass


@pytest.fixture(params=["sqlite", POSTGRES, REDIS_PG, CLUSTER_PG])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    made = sqlite_engine(tmp_path) if request.param == "sqlite" else postgres_engine()
    url = redis_url_of(request.param)
    on_redis = url is not None
    with made as engine, redis_keys(url) if on_redis else nullcontext((None, "")) as (_, prefix):
        clock = Clock(START - timedelta(minutes=1))
        principals = SqlPrincipals(engine)
        tokens = {
            subject: principals.issue(subject, role, frozenset(), clock.now)
            for subject, role in [
                ("ops", Role.OPERATOR),
                ("u1", Role.CONSUMER),
                ("u2", Role.CONSUMER),
                ("u3", Role.CONSUMER),
                ("fin", Role.FINANCE),
            ]
        }
        platform = bootstrap(engine, clock=clock, redis_url=url, redis_prefix=prefix)
        live_campaign(platform)
        writer = platform.flashsales.order_writer("w1")  # None: the SQL gate writes orders
        with serving(create_app(platform)) as base:
            platform.call_back_to(base)  # the simulated provider calls back over HTTP
            yield Site(base, tokens, clock, engine, writer, platform)


def test_a_flash_sale_over_http(site):
    # given: an operator opens the sale
    opened = site.call("ops", "POST", "/v1/flash-sales", json=SALE)
    assert opened.status_code == 201, opened.text
    assert opened.json()["on_sale"] == 3
    assert site.call("u1", "POST", "/v1/flash-sales", json=SALE).status_code == 403
    # a minute early: refused, not queued
    early = site.buy("u1", "a1")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "not_started"
    # when: 整点
    site.clock.now = START + timedelta(seconds=1)
    first = site.buy("u1", "a1", qty=2)
    again = site.buy("u1", "a1", qty=2)
    # then: accepted once, a retry gets the same answer
    assert first.status_code == 201, first.text
    assert again.json() == first.json()
    mine = site.call("u1", "GET", "/v1/flash-sales/fs-phone-20h/attempts/a1")
    assert mine.status_code == 200
    assert mine.json()["state"] == "held"
    assert mine.json()["qty"] == 2
    assert mine.json()["pay_by"].startswith("2026-11-11T12:10:01")  # UTC, 10 minutes to pay
    assert site.call("u2", "GET", "/v1/flash-sales/fs-phone-20h/attempts/a1").status_code == 404
    over = site.buy("u1", "a2")
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "over_limit"
    # u2 takes the last unit, u3 finds it sold out and asks to be told
    assert site.buy("u2", "b1").status_code == 201
    gone = site.buy("u3", "c1")
    assert gone.json()["error"]["code"] == "sold_out"
    reminder = site.call("u3", "POST", "/v1/flash-sales/fs-phone-20h/reminders")
    assert reminder.status_code == 201
    assert reminder.json()["expected_restock_at"].startswith("2026-11-11T12:10:01")
    # hammering: past 3 attempts in one second, u3 is refused with 429
    hammer = [site.buy("u3", f"c{i}") for i in range(2, 5)]
    assert [answer.status_code for answer in hammer] == [409, 409, 429]
    assert hammer[-1].json()["error"]["code"] == "user_rate_limited"
    assert hammer[-1].headers["Retry-After"] == "1"
    # paying: only the buyer, once, through the provider's callback
    site.written()
    paying = site.call("u1", "POST", "/v1/flash-sales/fs-phone-20h/attempts/a1/pay")
    assert paying.status_code == 200, paying.text
    order_id = paying.json()["order_id"]
    assert paying.json()["payable"] == 2 * 359900
    assert paying.json()["payment"]["amount"] == 2 * 359900
    _called_back(site, order_id)
    paid = site.call("u1", "POST", "/v1/flash-sales/fs-phone-20h/attempts/a1/pay")
    assert paid.json()["status"] == "paid"
    assert paid.json()["order_status"] == "paid"
    # paid: no second payment; asked again, the answer names the one that paid
    assert paid.json()["payment"]["id"] == paying.json()["payment"]["id"]
    assert paid.json()["payment"]["status"] == "succeeded"
    funding = site.call("fin", "GET", f"/v1/orders/{order_id}/funding").json()
    assert funding == {"platform": 40000, "merchants": {"digital-flagship": 40000}}
    stranger = site.call("u2", "POST", "/v1/flash-sales/fs-phone-20h/attempts/a1/pay")
    assert stranger.status_code == 404
    assert stranger.json()["error"]["code"] == "unknown_reservation"
    never = site.call("u2", "POST", "/v1/flash-sales/fs-phone-20h/attempts/no-such/pay")
    assert (never.status_code, never.json()) == (404, stranger.json())  # nothing told apart
    stock = site.call("ops", "GET", "/v1/flash-sales/fs-phone-20h/stock").json()
    assert (stock["on_sale"], stock["held"], stock["paid"], stock["sold_out"]) == (0, 1, 2, True)
    restocked = site.call("ops", "POST", "/v1/flash-sales/fs-phone-20h/restock", json={"qty": 5})
    assert restocked.json()["on_sale"] == 5
    bad = site.call("ops", "POST", "/v1/flash-sales/fs-phone-20h/restock", json={"qty": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "qty"


def test_a_sale_names_a_campaign_that_exists_and_a_catalog_sku(site):
    without = {k: v for k, v in SALE.items() if k != "campaign_id"}
    for body, field in [
        (without, "campaign_id"),
        (SALE | {"campaign_id": "no-such"}, "campaign_id"),
        (SALE | {"sku": "NO-SUCH-SKU"}, "sku"),
    ]:
        refused = site.call("ops", "POST", "/v1/flash-sales", json=body)
        assert (refused.status_code, refused.json()["error"]["field"]) == (422, field)
    assert site.call("ops", "GET", "/v1/flash-sales/fs-phone-20h/stock").status_code == 404


def test_a_buyer_cannot_mark_their_own_flash_order_paid(site):
    # given: u1 holds a unit; the provider never calls back (the buyer never paid)
    for provider in site.platform.payment_providers.values():
        provider.sender = lambda callback: None
    site.call("ops", "POST", "/v1/flash-sales", json=SALE)
    site.clock.now = START + timedelta(seconds=1)
    assert site.buy("u1", "a1").status_code == 201
    site.written()
    # when: u1 asks to pay, again and again
    answers = [
        site.call("u1", "POST", "/v1/flash-sales/fs-phone-20h/attempts/a1/pay") for _ in "12"
    ]
    # then: one payment waits for its provider; nothing is paid, the hold can still run out
    assert {a.json()["status"] for a in answers} == {"reserved"}
    assert {a.json()["order_status"] for a in answers} == {"pending_payment"}
    assert answers[0].json()["payment"]["id"] == answers[1].json()["payment"]["id"]
    stock = site.call("ops", "GET", "/v1/flash-sales/fs-phone-20h/stock").json()
    assert (stock["held"], stock["paid"]) == (1, 0)
    site.clock.now = START + timedelta(minutes=11)
    assert site.platform.flashsales.sweep(site.clock.now) == 1
    late = site.call("u1", "POST", "/v1/flash-sales/fs-phone-20h/attempts/a1/pay")
    assert (late.status_code, late.json()["error"]["code"]) == (409, "reservation_released")


def _called_back(site: Site, order_id: str) -> None:
    """Wait for the provider's callback to pay the order."""
    deadline = time.time() + 10
    while site.call("u1", "GET", f"/v1/orders/{order_id}").json()["status"] != "paid":
        assert time.time() < deadline, "the provider never called back"
        time.sleep(0.05)


def test_unknown_sale_and_bad_requests_are_clear(site):
    site.clock.now = START + timedelta(seconds=1)
    unknown = site.call("u1", "POST", "/v1/flash-sales/nope/attempts", json={"request_id": "x"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_sale"
    bad = site.call(
        "u1", "POST", "/v1/flash-sales/nope/attempts", json={"request_id": "a|b", "qty": 1}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "request_id"
    nobody = call(site.base, "wrong", "POST", "/v1/flash-sales/nope/attempts", json={})
    assert nobody.status_code == 401


@pytest.mark.parametrize("site", [REDIS_PG, CLUSTER_PG], indirect=True)
def test_the_hot_path_reads_no_database(site):
    # given: the sale is open and u1's token was seen once
    site.call("ops", "POST", "/v1/flash-sales", json=SALE | {"stock": 100, "user_rate": 50})
    site.clock.now = START + timedelta(seconds=1)
    site.buy("u1", "warm-up")
    statements: list[str] = []

    def seen(*a) -> None:  # what threads working behind the callers write is not read here
        if not threading.current_thread().name.startswith(BEHIND):
            statements.append(a[2])

    event.listen(site.engine, "before_cursor_execute", seen)
    # when
    for i in range(20):
        assert site.buy("u1" if i % 2 else "u2", f"hot-{i}").status_code in (201, 409)
        assert site.call("u1", "GET", "/v1/flash-sales/fs-phone-20h/attempts/warm-up").is_success
        nope = f"/v1/flash-sales/nope-{i}/attempts"  # unknown ids: no read each either
        assert site.call("u1", "POST", nope, json={"request_id": "x"}).status_code == 404
    # then: u2's first request looked its token up once; besides, only the live campaigns'
    # revisions (at most every 0.2 s) and the sales' campaigns (at most every second) were
    # read, never once per attempt
    assert sum("principals" in sql for sql in statements) == 1
    # the process's outbox delivery, beside the hot path (the risk check answers from
    # memory and checks in full behind: services/risk_flash.py)
    background = ("event_outbox",)
    others = [
        sql
        for sql in statements
        if "principals" not in sql and not any(table in sql for table in background)
    ]
    assert all("campaign" in sql for sql in others), others
    assert len(others) < 20


def test_redis_unreachable_fails_closed_over_http(tmp_path):
    with sqlite_engine(tmp_path) as engine:
        token = SqlPrincipals(engine).issue("u1", Role.CONSUMER, frozenset(), START)
        app = create_app(bootstrap(engine, clock=Clock(START), redis_url="redis://127.0.0.1:1/0"))
        with serving(app) as base:
            answer = call(
                base, token, "POST", "/v1/flash-sales/fs/attempts", json={"request_id": "r1"}
            )
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "gate_unavailable"
