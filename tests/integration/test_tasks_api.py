"""Sign-ins, daily tasks and coins over HTTP on SQLite and PostgreSQL: a member signed in
by phone signs in once a day (a storm of retries earns once), does tasks the server
decides, and reads their coins; finance reads the campaign's liability."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from dacu.adapters.message_outbox import SqlMessageOutbox
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.coins_rig import CAMPAIGN, DAY_ONE, Clock, launch_platform
from tests.integration.conftest import stock_example_goods
from tests.integration.http import serving
from tests.integration.test_api import call

pytestmark = pytest.mark.integration


@pytest.fixture
def site(engine):
    clock = Clock(DAY_ONE)
    platform = launch_platform(engine, clock)
    stock_example_goods(platform)
    finance = platform.access.issue("fin-wang", Role.FINANCE).token
    with serving(create_app(platform)) as base:
        yield base, finance, clock, platform


def _member(base: str, platform, phone: str = "13800138000") -> str:
    asked = call(base, None, "POST", "/v1/customers/codes", json={"phone": phone})
    assert asked.status_code == 202, asked.text
    text = SqlMessageOutbox(platform.engine).last_message(f"+86{phone}")
    code = re.search(r"\d{6}", text or "")
    assert code is not None
    body = {"phone": phone, "code": code.group()}
    signed = call(base, None, "POST", "/v1/customers/sessions", json=body)
    assert signed.status_code == 201, signed.text
    return str(signed.json()["token"])


def test_a_storm_of_sign_ins_earns_one_coin_and_answers_the_same(site):
    base, _, _, platform = site
    token = _member(base, platform)
    path = f"/v1/campaigns/{CAMPAIGN}/sign-ins"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: call(base, token, "POST", path), range(24)))
    assert sorted(a.status_code for a in answers) == [200] * 23 + [201]
    assert {(a.json()["day"], a.json()["streak"], a.json()["coins"]) for a in answers} == {
        ("2026-09-01", 1, 1)
    }
    mine = call(base, token, "GET", "/v1/customers/me/coins").json()
    assert mine["balance"] == 1
    assert [e["reason"] for e in mine["entries"]] == ["sign_in"]
    month = call(base, token, "GET", path).json()
    assert month["signed_today"] is True
    assert month["streak"] == 1
    assert [d["day"] for d in month["days"]] == ["2026-09-01"]


def test_tasks_are_done_by_what_the_server_saw(site):
    base, finance, _, platform = site
    token = _member(base, platform)
    tasks = f"/v1/campaigns/{CAMPAIGN}/tasks"
    before = call(base, token, "GET", tasks).json()
    assert [t["done"] for t in before["tasks"]] == [False, False, False]
    assert before["month_days"] == 30
    visited = call(base, token, "POST", f"{tasks}/browse-venue/visits")
    assert visited.status_code == 200, visited.text
    sku = platform.goods.listing()[0].id
    shared = call(base, token, "POST", f"{tasks}/share-product/shares", json={"sku": sku})
    assert shared.status_code == 200, shared.text
    assert [t["done"] for t in shared.json()["tasks"]] == [True, True, False]
    wrong = call(base, token, "POST", f"{tasks}/share-product/visits")
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "task_id"
    unknown = call(base, token, "POST", f"{tasks}/no-such-task/visits")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_task"
    faked = call(
        base, token, "POST", f"{tasks}/share-product/shares", json={"sku": sku, "coins": 9}
    )
    assert faked.status_code == 422
    coins = call(base, finance, "GET", f"/v1/campaigns/{CAMPAIGN}/coins")
    assert coins.status_code == 200, coins.text
    assert coins.json()["outstanding"] == 2
    assert coins.json()["liability"] == 2 * 1000 // 1500
    assert call(base, token, "GET", f"/v1/campaigns/{CAMPAIGN}/coins").status_code == 403


def test_sign_ins_are_closed_outside_the_campaign(site):
    base, _, clock, platform = site
    token = _member(base, platform)
    clock.now = clock.now.replace(month=10, day=1, hour=0, minute=0, second=1)  # just after
    answer = call(base, token, "POST", f"/v1/campaigns/{CAMPAIGN}/sign-ins")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "campaign_state"


def test_a_paid_order_earns_its_yuan_through_the_outbox_and_a_refund_takes_them_back(site):
    base, finance, _, platform = site
    token = _member(base, platform)
    body = {"cart": {"items": [{"sku": "A-SCARF", "qty": 2}]}}
    placed = call(base, token, "POST", "/v1/orders", headers={"Idempotency-Key": "k1"}, json=body)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    paid = call(base, finance, "POST", f"/v1/orders/{order['id']}/pay")
    assert paid.status_code == 200, paid.text
    platform.outbox().deliver(platform.clock())
    whole_yuan = order["payable"] // 100
    mine = call(base, token, "GET", "/v1/customers/me/coins").json()
    assert mine["balance"] == whole_yuan + 1  # and the order task
    service = platform.access.issue("cs-chen", Role.SERVICE).token
    refund = {"sku": "A-SCARF", "qty": 1}
    refunded = call(
        base,
        service,
        "POST",
        f"/v1/orders/{order['id']}/refunds",
        headers={"Idempotency-Key": "r1"},
        json=refund,
    )
    assert refunded.status_code == 201, refunded.text
    platform.outbox().deliver(platform.clock())
    back = refunded.json()["amount"]
    mine = call(base, token, "GET", "/v1/customers/me/coins").json()
    assert mine["balance"] == (order["payable"] - back) // 100 + 1
    assert "refund" in [e["reason"] for e in mine["entries"]]


def test_a_storm_of_visits_counts_one_a_day(site):
    base, _, _, platform = site
    token = _member(base, platform)
    path = f"/v1/campaigns/{CAMPAIGN}/tasks/browse-venue/visits"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: call(base, token, "POST", path), range(24)))
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["tasks"][0]["at"] for a in answers} == {answers[0].json()["tasks"][0]["at"]}
    mine = call(base, token, "GET", "/v1/customers/me/coins").json()
    assert mine["balance"] == 1
    assert mine["debt"] == 0
