"""Budgets over HTTP: the quote says a spent budget's promotions stop, finance reads the
figures, only an operator opens the reserve (once per key, naming bad fields)."""

import pytest

from dacu.domain.access import Role
from tests.integration.test_api import BURST, _json, api, call, double11  # noqa: F401

pytestmark = pytest.mark.integration

CAMPAIGN = "/v1/campaigns/double11-2026"
COATS = {"cart": {"items": [{"sku": "A-COAT", "qty": 3}]}}


@pytest.fixture
def budgeted(api, engine):  # noqa: F811 (the fixture of test_api)
    from dacu.adapters.principals import SqlPrincipals

    base, tokens, clock = api
    tokens[Role.FINANCE] = SqlPrincipals(engine).issue("fin-wang", Role.FINANCE, frozenset(), BURST)
    document = _json(double11())
    document["budget"] = {"total": 30000, "contingency_bp": 1000}  # cap 27,000: one cart
    assert call(base, tokens[Role.OPERATOR], "PUT", CAMPAIGN, json=document).status_code == 200
    clock.now = BURST
    return base, tokens


def test_a_spent_budget_stops_its_promotions_and_the_quote_says_why(budgeted):
    base, tokens = budgeted
    consumer = tokens[Role.CONSUMER]
    first = call(
        base, consumer, "POST", "/v1/orders", headers={"Idempotency-Key": "o1"}, json=COATS
    )
    assert first.status_code == 201
    assert sum(d["platform"] for d in first.json()["lines"][0]["discounts"]) == 14000
    quoted = call(base, consumer, "POST", "/v1/quotes", json=COATS).json()
    assert quoted["funding"]["platform"] == 0
    assert any("budget_spent" in warning for warning in quoted["warnings"])
    figures = call(base, tokens[Role.FINANCE], "GET", f"{CAMPAIGN}/budget").json()
    assert (figures["cap"], figures["drawn"], figures["left"]) == (27000, 14000, 13000)


def test_the_reserve_opens_only_by_an_approved_request(budgeted, engine):
    from dacu.adapters.principals import SqlPrincipals

    base, tokens = budgeted
    operator, finance = tokens[Role.OPERATOR], tokens[Role.FINANCE]
    path, key = f"{CAMPAIGN}/budget/release-requests", {"Idempotency-Key": "rel-1"}
    body = {"amount": 2000, "reason": "晚8点加码"}
    assert call(base, finance, "POST", path, headers=key, json=body).status_code == 403
    bad = call(base, operator, "POST", path, headers=key, json={"amount": 3001, "reason": "x"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "amount"
    as_text = call(base, operator, "POST", path, headers=key, json={**body, "amount": "2000"})
    assert as_text.status_code == 422
    first = call(base, operator, "POST", path, headers=key, json=body)
    again = call(base, operator, "POST", path, headers=key, json=body)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "requested"
    other = call(base, operator, "POST", path, headers=key, json={**body, "amount": 500})
    assert other.status_code == 409
    figures = call(base, finance, "GET", f"{CAMPAIGN}/budget").json()
    assert (figures["cap"], figures["released"]) == (27000, 0)  # asked is not opened
    decide = f"{path}/{first.json()['id']}"
    assert call(base, operator, "POST", f"{decide}/approve", json={}).status_code == 403
    # who asked may not decide, even holding the finance role too
    asker = SqlPrincipals(engine).issue("fin-li", Role.OPERATOR, frozenset(), BURST)
    own = call(base, asker, "POST", path, headers={"Idempotency-Key": "rel-2"}, json=body)
    also_finance = SqlPrincipals(engine).issue("fin-li", Role.FINANCE, frozenset(), BURST)
    same = call(base, also_finance, "POST", f"{path}/{own.json()['id']}/approve", json={})
    assert same.status_code == 403
    assert same.json()["error"]["code"] == "same_person"
    approved = call(base, finance, "POST", f"{decide}/approve", json={"note": "同意"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "fin-wang"
    twice = call(base, finance, "POST", f"{decide}/approve", json={})
    assert twice.status_code == 409
    figures = call(base, finance, "GET", f"{CAMPAIGN}/budget").json()
    assert (figures["cap"], figures["released"]) == (29000, 2000)
    assert [r["amount"] for r in figures["releases"]] == [2000]
    rejected = call(base, finance, "POST", f"{path}/{own.json()['id']}/reject", json={})
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    listed = call(base, tokens[Role.RISK], "GET", path).json()
    assert sorted(r["status"] for r in listed) == ["approved", "rejected"]
    assert call(base, finance, "GET", f"{CAMPAIGN}/budget").json()["released"] == 2000
    missing = call(base, finance, "POST", f"{path}/nope/approve", json={})
    assert missing.status_code == 404
    unknown = call(base, operator, "GET", "/v1/campaigns/nope/budget")
    assert unknown.status_code == 404


def test_burn_by_level_and_the_weekly_review(api, engine):  # noqa: F811
    from dacu.adapters.principals import SqlPrincipals

    base, tokens, clock = api
    finance = SqlPrincipals(engine).issue("fin-wang", Role.FINANCE, frozenset(), BURST)
    document = _json(double11())
    document["budget"]["departments"] = {"market": 10**7, "operations": 10**7}
    document["promotions"][0].update(department="market", budget=10**6)
    assert call(base, tokens[Role.OPERATOR], "PUT", CAMPAIGN, json=document).status_code == 200
    clock.now = BURST
    consumer = tokens[Role.CONSUMER]
    placed = call(
        base, consumer, "POST", "/v1/orders", headers={"Idempotency-Key": "o1"}, json=COATS
    )
    clock.platform.orders.pay(placed.json()["id"], BURST)
    clock.platform.outbox().deliver(BURST)
    figures = call(base, finance, "GET", f"{CAMPAIGN}/budget").json()
    assert figures["drawn"] == 14000  # the existing fields stay
    market = next(d for d in figures["departments"] if d["name"] == "market")
    assert (market["cap"], market["drawn"], market["paid"]) == (10**7, 14000, 14000)
    apparel = next(p for p in figures["promotions"] if p["name"] == "apparel-300-50")
    assert (apparel["cap"], apparel["drawn"], apparel["left"]) == (10**6, 14000, 10**6 - 14000)
    assert apparel["drawn_bp"] == 140
    assert figures["ledger"]["platform:subsidy_expense"] == 14000
    review = call(base, finance, "GET", f"{CAMPAIGN}/budget/review?week=2026-W46").json()
    assert (review["week"], review["spend"]) == ("2026-W46", 14000)
    assert review["gmv"] > 0
    assert review["orders"] == 1
    row = next(p for p in review["promotions"] if p["name"] == "apparel-300-50")
    assert row["flagged"] is True
    assert row["cost_bp"] == 14000 * 10_000 // row["gmv"]
    other = call(base, finance, "GET", f"{CAMPAIGN}/budget/review?week=2026-W45").json()
    assert other["spend"] == 0
    bad = call(base, finance, "GET", f"{CAMPAIGN}/budget/review?week=2026-45")
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "week")
    workbook = call(base, finance, "GET", f"{CAMPAIGN}/budget/review.xlsx?week=2026-W46")
    assert workbook.status_code == 200
    assert workbook.content[:2] == b"PK"
    assert call(base, consumer, "GET", f"{CAMPAIGN}/budget/review").status_code == 403
