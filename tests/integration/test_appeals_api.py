"""Appeals, reviews and payouts over HTTP on real SQLite and PostgreSQL: appeal → accept →
the next settlement run issues the adjustment; a two-person review; a payout retried
concurrently made once; who may do what."""

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.appeals_rig import BIG, CAMPAIGN, NOW, issue, settle_platform, subsidy
from tests.integration.http import serving

pytestmark = pytest.mark.integration


@pytest.fixture
def api(engine, tmp_path):
    platform = settle_platform(engine, tmp_path)
    subsidy(platform, "o-1", "tea-house", 1_250)
    subsidy(platform, "o-2", "tea-house", BIG)
    subsidy(platform, "o-3", "book-nook", 800)
    sid = issue(platform, "tea-house")
    issue_token = platform.principals.issue
    tokens = {
        "ops": issue_token("ops", Role.OPERATOR, frozenset(), NOW),
        "fin": issue_token("fin", Role.FINANCE, frozenset(), NOW),
        "fin2": issue_token("fin2", Role.FINANCE, frozenset(), NOW),
        "risk": issue_token("risk", Role.RISK, frozenset(), NOW),
        "tea": issue_token("m-tea", Role.MERCHANT, frozenset({"tea-house"}), NOW),
        "book": issue_token("m-book", Role.MERCHANT, frozenset({"book-nook"}), NOW),
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, method: str, path: str, **kw) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}", **kw.pop("headers", {})}
            return client.request(method, path, headers=headers, **kw)

        yield call, platform, sid


def _appeal(call, who: str, sid: str, key: str, line: int = 1, claimed: int = 500):
    body = {
        "statement_id": sid,
        "line_no": line,
        "reason": "平台承担比例算错",
        "evidence": ["https://evidence.example/1.png", "订单截图"],
        "claimed": claimed,
    }
    return call(who, "POST", "/v1/appeals", json=body, headers={"Idempotency-Key": key})


def test_an_appeal_accepted_is_issued_by_the_next_settlement_run(api):
    call, _, sid = api
    filed = _appeal(call, "tea", sid, "k-1")
    assert filed.status_code == 201, filed.text
    appeal = filed.json()
    assert _appeal(call, "tea", sid, "k-1").json()["id"] == appeal["id"]  # retried: same
    again = _appeal(call, "tea", sid, "k-2")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "appeal_state"
    assert call("book", "GET", f"/v1/appeals/{appeal['id']}").status_code == 404
    assert call("book", "GET", "/v1/appeals").json() == []
    assert [a["id"] for a in call("fin", "GET", "/v1/appeals").json()] == [appeal["id"]]
    # a merchant may not decide; finance accepts 3元 of the 5元 claimed
    body = {"decision": "accept", "amount": 300, "report": "比例已更正"}
    path = f"/v1/appeals/{appeal['id']}/decision"
    assert call("tea", "POST", path, json=body).status_code == 403
    decided = call("fin", "POST", path, json=body)
    assert decided.json()["status"] == "accepted"
    assert call("ops", "POST", path, json={"decision": "reject", "report": "x"}).status_code == 409
    # then: the next run issues a statement of the adjustment
    run = call(
        "fin",
        "POST",
        f"/v1/campaigns/{CAMPAIGN}/settlement-runs",
        json={"shop": "tea-house"},
        headers={"Idempotency-Key": "run-2"},
    )
    assert run.status_code == 201, run.text
    (second,) = run.json()["statements"]
    assert second["total"] == 300
    shown = call("tea", "GET", f"/v1/statements/{second['id']}").json()
    assert [(x["kind"], x["amount"]) for x in shown["lines"]] == [("adjustment", 300)]
    assert shown["lines"][0]["refs"]["appeal_id"] == appeal["id"]


def test_hostile_appeals_are_refused_naming_the_field(api):
    call, _, sid = api
    for body, field in [
        ({"statement_id": sid, "line_no": 0, "reason": "x", "claimed": 1}, "line_no"),
        ({"statement_id": sid, "line_no": 1, "reason": "x", "claimed": -5}, "claimed"),
        ({"statement_id": sid, "line_no": 1, "reason": "   ", "claimed": 5}, "reason"),
        ({"statement_id": sid, "line_no": 1, "reason": "x", "claimed": 5, "evidence": [""]}, ""),
    ]:
        answer = call("tea", "POST", "/v1/appeals", json=body, headers={"Idempotency-Key": "h"})
        assert answer.status_code == 422, (body, answer.text)
        assert field in (answer.json()["error"].get("field") or "")
    answer = _appeal(call, "book", sid, "k")
    assert answer.status_code == 404  # another shop's statement
    assert _appeal(call, "fin", sid, "k").status_code == 403
    body = {"decision": "accept", "report": ""}
    filed = _appeal(call, "tea", sid, "k").json()
    answer = call("fin", "POST", f"/v1/appeals/{filed['id']}/decision", json=body)
    assert answer.json()["error"]["field"] == "amount"


def test_a_held_line_needs_two_people_before_it_is_paid(api):
    call, _, sid = api
    listed = call("risk", "GET", "/v1/reviews", params={"campaign_id": CAMPAIGN}).json()
    (review,) = [r for r in listed if r["statement_id"] == sid]
    assert review["amount"] == BIG
    shown = call("fin", "GET", f"/v1/reviews/{review['id']}").json()
    assert shown["evidence"]["order_id"] == "o-2"
    refused = call("fin", "POST", f"/v1/statements/{sid}/payouts", json={"part": "line-2"})
    assert refused.json()["error"]["code"] == "payout_state"
    path = f"/v1/reviews/{review['id']}"
    assert (
        call("risk", "POST", f"{path}/prepare", json={"note": "支付与运单已核"}).status_code == 200
    )
    same = call("risk", "POST", f"{path}/decision", json={"approve": True})
    assert same.status_code == 403
    assert same.json()["error"]["code"] == "same_person"
    assert call("tea", "POST", f"{path}/decision", json={"approve": True}).status_code == 403
    approved = call("fin", "POST", f"{path}/decision", json={"approve": True, "report": "ok"})
    assert approved.json()["status"] == "approved"
    paid = call("fin", "POST", f"/v1/statements/{sid}/payouts", json={}).json()
    assert sorted((p["part"], p["amount"]) for p in paid) == [("line-2", BIG), ("main", 1_250)]
    parts = call("tea", "GET", f"/v1/statements/{sid}/parts").json()
    assert {p["name"]: p["state"] for p in parts} == {"main": "paid", "line-2": "paid"}


def test_a_payout_retried_concurrently_is_one_payout_and_one_posting(api):
    call, platform, sid = api

    def pay(_: int) -> httpx.Response:
        return call("fin", "POST", f"/v1/statements/{sid}/payouts", json={"part": "main"})

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(pay, range(6)))
    assert {a.status_code for a in answers} == {200}
    assert {a.json()[0]["key"] for a in answers} == {f"payout:{sid}:main"}
    assert len(call("fin", "GET", "/v1/payouts").json()) == 1
    assert len(platform.ledger.entry(f"payout:{sid}:main")) == 2
    assert platform.ledger.trial_balance() == 0
    key = answers[0].json()[0]["key"]
    assert call("tea", "GET", f"/v1/payouts/{key}/bank-file").status_code == 403
    assert call("book", "GET", "/v1/payouts").json() == []
    file = call("fin", "GET", f"/v1/payouts/{key}/bank-file")
    rows = list(csv.reader(io.StringIO(file.text)))
    assert rows[0][:3] == ["payee_shop", "amount_yuan", "reference"]
    assert rows[1][:3] == ["tea-house", "12.50", key]
    assert call("fin", "GET", "/v1/payouts/payout:nope/bank-file").status_code == 404


def test_hostile_reviews_and_payouts_are_refused_without_a_trace(api):
    call, _, sid = api
    path = f"/v1/statements/{sid}/payouts"
    for part in ("line-x", "../etc", "line-99", "line-1"):
        answer = call("fin", "POST", path, json={"part": part})
        assert answer.status_code == 409, (part, answer.text)
        assert answer.json()["error"]["code"] == "payout_state"
    assert call("fin", "POST", path, json={"amount": 1}).status_code == 422  # no amounts
    assert call("fin", "POST", "/v1/statements/nope:x:1/payouts", json={}).status_code == 404
    assert call("risk", "POST", path, json={}).status_code == 403
    assert call("fin", "GET", "/v1/reviews/nope").json()["error"]["code"] == "unknown_review"
    bad = call("fin", "GET", "/v1/reviews", params={"status": "bogus"})
    assert bad.status_code == 422
    answer = call("fin", "POST", "/v1/appeals/nope/decision", json={"decision": "maybe"})
    assert answer.status_code == 422
    filed = _appeal(call, "tea", sid, "k").json()
    report = {"decision": "reject", "report": "bad\x00report"}
    answer = call("fin", "POST", f"/v1/appeals/{filed['id']}/decision", json=report)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "report"
