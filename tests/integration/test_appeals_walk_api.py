"""申诉中心 and 大额审核 walked over HTTP on real SQLite and PostgreSQL as finance, risk
and merchants do: an appeal past its 3 working days alerts and is rejected with its
review report; wrong roles, another merchant's statement, one's own preparation and
negative, fractional or textual amounts are refused naming the field — and write
nothing: no appeal, decision, review move, audit record nor ledger entry."""

from datetime import datetime

import httpx
import pytest
from sqlalchemy import Engine, text

from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from tests.integration.appeals_rig import (
    BIG,
    NOW,
    SHANGHAI,
    Clock,
    issue,
    settle_platform,
    subsidy,
)
from tests.integration.http import serving

pytestmark = pytest.mark.integration

PEOPLE = {
    "ops": ("ops", Role.OPERATOR),
    "fin": ("fin", Role.FINANCE),
    "fin2": ("fin2", Role.FINANCE),
    "risk": ("risk", Role.RISK),
    "tea": ("m-tea", Role.MERCHANT),
    "book": ("m-book", Role.MERCHANT),
}


@pytest.fixture
def api(engine, tmp_path):
    clock = Clock()
    platform = settle_platform(engine, tmp_path, clock)
    subsidy(platform, "o-1", "tea-house", 1_250)
    subsidy(platform, "o-2", "tea-house", BIG)
    subsidy(platform, "o-3", "book-nook", 800)
    sid = issue(platform, "tea-house")
    issue(platform, "book-nook", "run-book")
    tokens = {
        name: platform.principals.issue(subject, role, frozenset(), NOW)
        for name, (subject, role) in PEOPLE.items()
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, method: str, path: str, **kw) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}", **kw.pop("headers", {})}
            return client.request(method, path, headers=headers, **kw)

        yield call, clock, sid


def _file(call, who: str, sid: str, key: str, claimed=500, line=1) -> httpx.Response:
    body = {
        "statement_id": sid,
        "line_no": line,
        "reason": "物流补贴漏算",
        "evidence": ["运单 SF123"],
        "claimed": claimed,
    }
    return call(who, "POST", "/v1/appeals", json=body, headers={"Idempotency-Key": key})


def _footprint(engine: Engine) -> tuple[int, ...]:
    """What a refused request must leave as it was."""
    with engine.connect() as connection:
        return tuple(
            connection.execute(text(sql)).scalar_one()
            for sql in (
                "SELECT COUNT(*) FROM appeals",
                "SELECT COUNT(*) FROM appeals WHERE status <> 'open'",
                "SELECT COUNT(*) FROM subsidy_reviews WHERE status <> 'held'",
                "SELECT COUNT(*) FROM audit_log",
                "SELECT COUNT(*) FROM journal_entries",
                "SELECT COUNT(*) FROM payouts",
            )
        )


def test_an_overdue_appeal_alerts_and_is_rejected_with_its_review_report(api):
    call, clock, sid = api
    # given an appeal filed on Friday 10-09: due by the end of Tuesday 10-13 (Saturday
    # 10-10 is a 调休 working day)
    filed = _file(call, "tea", sid, "k-1")
    assert filed.status_code == 201, filed.text
    appeal = filed.json()
    assert appeal["deadline"] == "2026-10-14T00:00:00+08:00"  # the end of 10-13
    assert not appeal["overdue"]
    # when finance opens the queue on Wednesday 10-14
    clock.at = datetime(2026, 10, 14, 9, 0, tzinfo=SHANGHAI)
    (listed,) = call("fin", "GET", "/v1/appeals").json()
    assert listed["id"] == appeal["id"]
    assert listed["overdue"]
    # then it alerts, once, however often it is read
    call("fin", "GET", f"/v1/appeals/{appeal['id']}")

    def overdue() -> list[dict]:
        alerts = call("ops", "GET", "/v1/alerts", params={"standing": True}).json()
        return [a for a in alerts if a["kind"] == "appeal_overdue"]

    assert [a["subject"] for a in overdue()] == [f"appeal:{appeal['id']}"]
    # a rejection needs its report; with it, the appeal is decided and the alert clears
    path = f"/v1/appeals/{appeal['id']}/decision"
    bare = call("fin", "POST", path, json={"decision": "reject"})
    assert bare.status_code == 422
    assert bare.json()["error"]["field"] == "report"
    report = "复核：运单显示超时发货，不符合物流补贴条件"
    rejected = call("fin", "POST", path, json={"decision": "reject", "report": report})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert call("tea", "GET", f"/v1/appeals/{appeal['id']}").json()["report"] == report
    assert overdue() == []


def test_hostile_appeal_requests_are_refused_naming_the_field_and_write_nothing(api, engine):
    call, _, sid = api
    appeal = _file(call, "tea", sid, "k-1").json()
    before = _footprint(engine)
    for claimed in (-1, 2.5, "500", True, None):
        answer = _file(call, "tea", sid, f"bad-{claimed}", claimed=claimed)
        assert answer.status_code == 422, (claimed, answer.text)
        assert answer.json()["error"]["field"] == "claimed"
    assert _file(call, "book", sid, "k-x").status_code == 404  # another merchant's statement
    for who in ("fin", "risk", "ops"):
        assert _file(call, who, sid, f"k-{who}").status_code == 403
    path = f"/v1/appeals/{appeal['id']}/decision"
    for amount in (-300, 0, 2.5, "300", 501):  # 501: more than the 5元 claimed
        answer = call("fin", "POST", path, json={"decision": "accept", "amount": amount})
        assert answer.status_code == 422, (amount, answer.text)
        assert answer.json()["error"]["field"] == "amount"
    for who in ("tea", "book", "risk"):
        body = {"decision": "accept", "amount": 100, "report": "自己批准"}
        assert call(who, "POST", path, json=body).status_code in (403, 404)
    assert call("book", "GET", f"/v1/appeals/{appeal['id']}").status_code == 404
    assert _footprint(engine) == before


def test_a_merchant_reads_no_other_merchants_statement_nor_the_review_queue(api):
    call, _, sid = api
    for path in ("", "/csv", "/xlsx", "/parts"):
        answer = call("book", "GET", f"/v1/statements/{sid}{path}")
        assert answer.status_code == 404, (path, answer.text)
        assert call("tea", "GET", f"/v1/statements/{sid}{path}").status_code == 200
    assert call("book", "GET", "/v1/payouts", params={"statement_id": sid}).json() == []
    assert call("tea", "GET", "/v1/reviews").status_code == 403
    assert call("ops", "GET", "/v1/reviews").status_code == 403


def test_hostile_review_moves_are_refused_and_write_nothing(api, engine):
    call, _, sid = api
    (review,) = call("risk", "GET", "/v1/reviews", params={"statement_id": sid}).json()
    path = f"/v1/reviews/{review['id']}"
    before = _footprint(engine)
    # deciding before anyone prepared it; the wrong roles; bad bodies
    early = call("fin", "POST", f"{path}/decision", json={"approve": True})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "review_state"
    for who in ("tea", "ops"):
        assert call(who, "POST", f"{path}/prepare", json={"note": "x"}).status_code == 403
    for body, field in (({"approve": "yes"}, "approve"), ({"approve": 1}, "approve")):
        answer = call("fin", "POST", f"{path}/decision", json=body)
        assert answer.status_code == 422
        assert field in answer.json()["error"]["field"]
    payout = call("fin", "POST", f"/v1/statements/{sid}/payouts", json={"part": "line-2"})
    assert payout.status_code == 409
    assert payout.json()["error"]["code"] == "payout_state"
    assert _footprint(engine) == before
    # the preparer may not approve its own preparation: nothing moves
    assert call("fin", "POST", f"{path}/prepare", json={"note": "单据已核"}).status_code == 200
    prepared = _footprint(engine)
    own = call("fin", "POST", f"{path}/decision", json={"approve": True, "report": "ok"})
    assert own.status_code == 403
    assert own.json()["error"]["code"] == "same_person"
    assert _footprint(engine) == prepared
    assert call("fin", "GET", path).json()["status"] == "prepared"
    # another finance person approves; the line is then paid, once
    approved = call("fin2", "POST", f"{path}/decision", json={"approve": True, "report": "ok"})
    assert approved.json()["status"] == "approved"
    paid = call("fin", "POST", f"/v1/statements/{sid}/payouts", json={"part": "line-2"})
    assert paid.status_code == 200, paid.text
    assert paid.json()[0]["amount"] == BIG
