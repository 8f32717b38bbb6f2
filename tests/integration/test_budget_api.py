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


def test_only_an_operator_opens_the_reserve_once_per_key(budgeted):
    base, tokens = budgeted
    path, key = f"{CAMPAIGN}/budget/releases", {"Idempotency-Key": "rel-1"}
    body = {"amount": 2000, "reason": "晚8点加码"}
    refused = call(base, tokens[Role.FINANCE], "POST", path, headers=key, json=body)
    assert refused.status_code == 403
    bad = call(
        base, tokens[Role.OPERATOR], "POST", path, headers=key, json={"amount": 3001, "reason": "x"}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "amount"
    as_text = call(
        base, tokens[Role.OPERATOR], "POST", path, headers=key, json={**body, "amount": "2000"}
    )
    assert as_text.status_code == 422
    first = call(base, tokens[Role.OPERATOR], "POST", path, headers=key, json=body)
    again = call(base, tokens[Role.OPERATOR], "POST", path, headers=key, json=body)
    assert first.status_code == again.status_code == 201
    assert first.json()["cap"] == again.json()["cap"] == 29000
    assert [r["amount"] for r in again.json()["releases"]] == [2000]
    other = call(
        base, tokens[Role.OPERATOR], "POST", path, headers=key, json={**body, "amount": 500}
    )
    assert other.status_code == 409
    unknown = call(base, tokens[Role.OPERATOR], "GET", "/v1/campaigns/nope/budget")
    assert unknown.status_code == 404
