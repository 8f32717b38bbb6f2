"""The review desk over HTTP on real SQLite and PostgreSQL: the queue (risk decides,
operators read), an item's evidence, decisions once, the blacklist, and appeals."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dacu.domain.access import Role
from dacu.domain.goods import Shop
from dacu.domain.risk import Identity
from dacu.domain.risk_review import Held, ReviewKind
from dacu.entrypoints.api import create_app
from tests.integration.http import serving
from tests.integration.risk_desk_rig import NOW, Clock, desk_platform, held_reward

pytestmark = pytest.mark.integration


@pytest.fixture
def api(engine):
    platform = desk_platform(engine, Clock())
    issue = platform.principals.issue
    tokens = {
        "risk": issue("risk-wang", Role.RISK, frozenset(), NOW),
        "risk2": issue("risk-li", Role.RISK, frozenset(), NOW),
        "ops": issue("ops", Role.OPERATOR, frozenset(), NOW),
        "fin": issue("fin", Role.FINANCE, frozenset(), NOW),
        "c-1": issue("c-1", Role.CONSUMER, frozenset(), NOW),
        "c-2": issue("c-2", Role.CONSUMER, frozenset(), NOW),
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, method: str, path: str, **kw) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return client.request(method, path, headers=headers, **kw)

        call.base = base  # type: ignore[attr-defined]
        yield call, platform


def test_queue_item_and_one_decision(api):
    call, platform = api
    reward = held_reward(platform, "c-1", "lottery:h-1")
    platform.risk_links.link("c-1", Identity(device="device-farm-0001"), NOW)
    platform.risk_links.link("c-3", Identity(device="device-farm-0001"), NOW)
    assert call("risk", "POST", "/v1/risk/reviews/backfill").json() == {"added": 1}
    assert call("fin", "GET", "/v1/risk/reviews").status_code == 403
    page = call("ops", "GET", "/v1/risk/reviews", params={"kind": "reward"}).json()
    assert page["total"] == 1
    item_id = page["items"][0]["id"]
    assert item_id == f"reward:{reward}"
    assert call("ops", "GET", "/v1/risk/reviews", params={"kind": "nope"}).status_code == 422
    evidence = call("risk", "GET", f"/v1/risk/reviews/{item_id}").json()
    assert evidence["item"]["customer_id"] == "c-1"
    assert any(deed["what"] == "reward:lottery" for deed in evidence["timeline"])
    assert evidence["cluster"]["size"] == 2
    assert sorted(evidence["cluster"]["members"]) == ["c-1", "c-3"]
    [(kind, shown, n)] = evidence["shared"]  # the hash links keep, shown masked
    assert (kind, len(shown), n) == ("device", 11, 2)
    path = f"/v1/risk/reviews/{item_id}/decision"
    assert call("ops", "POST", path, json={"decision": "approve"}).status_code == 403
    no_note = call("risk", "POST", path, json={"decision": "reject"})
    assert no_note.status_code == 422
    assert no_note.json()["error"]["field"] == "note"

    def decide(who: str) -> int:
        return call(who, "POST", path, json={"decision": "approve"}).status_code

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(decide, ["risk", "risk2"])) == [200, 409]
    assert platform.coins.balance("c-1").balance == 50
    assert call("risk", "GET", "/v1/risk/reviews/nope:1").status_code == 404


def test_reject_and_blacklist_then_the_list(api):
    call, platform = api
    reward = held_reward(platform, "c-2", "lottery:h-2")
    call("risk", "POST", "/v1/risk/reviews/backfill")
    body = {
        "decision": "reject_blacklist",
        "note": "设备农场",
        "blacklist": ["account"],
        "until": "2026-12-31T00:00:00+08:00",
    }
    decided = call("risk", "POST", f"/v1/risk/reviews/reward:{reward}/decision", json=body)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "rejected"
    listed = call("ops", "GET", "/v1/risk/blacklist").json()
    assert [(e["kind"], e["value"]) for e in listed] == [("account", "c-2")]
    assert listed[0]["expires_at"].startswith("2026-12-3")
    evidence = call("risk", "GET", f"/v1/risk/reviews/reward:{reward}").json()
    assert [e["value"] for e in evidence["listed"]] == ["c-2"]
    bad = dict(body, blacklist=["shoe"])
    assert call("risk", "POST", "/v1/risk/reviews/x:1/decision", json=bad).status_code == 422


def test_appeals_by_the_customer(api):
    call, platform = api
    reward = held_reward(platform, "c-1", "lottery:h-3")
    call("risk", "POST", "/v1/risk/reviews/backfill")
    item_id = f"reward:{reward}"
    theirs = call("c-2", "POST", "/v1/risk/appeals", json={"item_id": item_id, "reason": "x"})
    assert theirs.status_code == 404
    filed = call("c-1", "POST", "/v1/risk/appeals", json={"item_id": item_id, "reason": "真实用户"})
    assert filed.status_code == 201, filed.text
    again = call("c-1", "POST", "/v1/risk/appeals", json={"item_id": item_id, "reason": "again"})
    assert again.status_code == 409
    assert call("c-1", "POST", "/v1/risk/appeals", json={"reason": ""}).status_code == 422
    block = call("c-1", "POST", "/v1/risk/appeals", json={"reason": "被误封"})
    assert block.status_code == 201
    queue = call("risk", "GET", "/v1/risk/reviews", params={"appeals": "true"}).json()
    assert queue["total"] == 2
    call("risk", "POST", f"/v1/risk/reviews/{item_id}/decision", json={"decision": "approve"})
    mine = call("c-1", "GET", "/v1/risk/appeals/mine").json()
    assert {(a["kind"], a["status"]) for a in mine} == {("reward", "approved"), ("block", "open")}
    assert call("risk", "GET", "/v1/risk/appeals/mine").status_code == 403


def test_a_merchant_appeals_its_own_shops_held_rebate_and_hostile_input_is_refused(api):
    call, platform = api
    platform.goods.open_shop(Shop("tea-house", "m-tea", "tea-house"))
    held = Held(ReviewKind.REBATE, "first_order:o-9:tea-house", "tea-house", NOW, 300,
                "c-risk", "brushing", 810, ("shop_link",), "tea-house")  # fmt: skip
    item = platform.risk_desk.submit(held)
    token = platform.principals.issue("m-tea", Role.MERCHANT, frozenset(), NOW)
    other = platform.principals.issue("m-book", Role.MERCHANT, frozenset(), NOW)

    def merchant(who: str, body: dict) -> httpx.Response:
        headers = {"Authorization": f"Bearer {who}"}
        return httpx.post(f"{call.base}/v1/risk/appeals", json=body, headers=headers)

    assert merchant(other, {"item_id": item.id, "reason": "x"}).status_code == 404
    assert merchant(token, {"reason": "block?"}).status_code == 422  # a merchant names it
    filed = merchant(token, {"item_id": item.id, "reason": "真实订单，非刷单"})
    assert filed.status_code == 201, filed.text
    assert filed.json()["kind"] == "rebate"
    path = f"/v1/risk/reviews/{item.id}/decision"
    for body in (
        {"decision": "reject", "note": "x" * 1001},
        {"decision": "reject", "note": "bad\x00"},
        {
            "decision": "reject_blacklist",
            "note": "x",
            "blacklist": ["account"],
            "until": "2020-01-01T00:00:00+08:00",
        },
        {"decision": "approve", "amount": 5},
        {"decision": "maybe"},
    ):
        answer = call("risk", "POST", path, json=body)
        assert answer.status_code == 422, (body, answer.text)
    assert call("c-1", "POST", path, json={"decision": "approve"}).status_code == 403
    assert (
        call(
            "risk", "POST", "/v1/risk/reviews/nope/decision", json={"decision": "approve"}
        ).status_code
        == 404
    )
    assert call("risk", "GET", "/v1/risk/reviews", params={"limit": 500}).status_code == 422
    assert call("c-1", "POST", "/v1/risk/appeals", json={"reason": "r" * 1001}).status_code == 422
