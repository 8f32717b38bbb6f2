"""The HTTP API end to end over loopback, on real SQLite and PostgreSQL."""

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.entrypoints.api import create_app
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import stock_example_goods
from tests.integration.http import serving

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
WARM_UP = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def api(engine):
    clock = Clock(WARM_UP)
    principals = SqlPrincipals(engine)
    tokens = {
        role: principals.issue(subject, role, frozenset(), WARM_UP)
        for role, subject in [
            (Role.OPERATOR, "ops-lihua"),
            (Role.RISK, "risk-zhao"),
            (Role.CONSUMER, "u-1024"),
            (Role.SERVICE, "cs-chen"),
        ]
    }
    platform = bootstrap(engine, clock=clock)
    stock_example_goods(platform)
    clock.platform = platform  # the tests' way in to what the server knows of a customer
    with serving(create_app(platform)) as base:
        platform.call_back_to(base)
        yield base, tokens, clock


def call(base: str, token: str | None, method: str, path: str, **kwargs) -> httpx.Response:
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.request(method, f"{base}{path}", headers=headers, timeout=30, **kwargs)


def double11() -> dict:
    return load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))


def _json(document: dict) -> dict:
    import json

    return json.loads(json.dumps(document, default=str))


def test_without_a_token_the_api_answers_401_with_a_code(api):
    base, _, _ = api
    response = call(base, None, "GET", "/v1/campaigns")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_roles_are_enforced(api):
    base, tokens, _ = api
    put = call(base, tokens[Role.CONSUMER], "PUT", "/v1/campaigns/double11-2026", json={})
    assert put.status_code == 403
    assert put.json()["error"]["code"] == "forbidden"


def test_operator_applies_a_campaign_and_the_same_file_twice_changes_nothing(api):
    base, tokens, _ = api
    document = _json(double11())
    first = call(base, tokens[Role.OPERATOR], "PUT", "/v1/campaigns/double11-2026", json=document)
    again = call(base, tokens[Role.OPERATOR], "PUT", "/v1/campaigns/double11-2026", json=document)
    assert first.status_code == again.status_code == 200
    assert first.json()["version"] == again.json()["version"] == 1
    listed = call(base, tokens[Role.SERVICE], "GET", "/v1/campaigns").json()
    assert listed == [
        {"id": "double11-2026", "theme": "双十一 全民狂欢节", "status": "live", "version": 1}
    ]


def test_a_bad_campaign_is_refused_naming_the_field(api):
    base, tokens, _ = api
    document = _json(double11())
    document["promotions"][0]["tiers"][0]["off"] = 90000
    response = call(
        base, tokens[Role.OPERATOR], "PUT", "/v1/campaigns/double11-2026", json=document
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "promotions[0].tiers[0].off"


def test_an_unknown_promotion_is_404_and_an_illegal_move_409(api):
    base, tokens, _ = api
    operator = tokens[Role.OPERATOR]
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=_json(double11()))
    missing = call(
        base, operator, "POST", "/v1/campaigns/double11-2026/promotions/no-such/kill", json={}
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_promotion"
    status = "/v1/campaigns/double11-2026/status"
    ended = call(base, operator, "POST", status, json={"status": "ended"})
    assert ended.status_code == 200
    again = call(base, operator, "POST", status, json={"status": "live"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "campaign_state"


def test_claim_quote_and_kill_switch_over_http(api):
    base, tokens, clock = api
    operator, consumer, risk = tokens[Role.OPERATOR], tokens[Role.CONSUMER], tokens[Role.RISK]
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=_json(double11()))

    # warm-up: the consumer claims the pre-issued coupon; a retry gets the same one
    claim = {"headers": {"Idempotency-Key": "claim-1"}, "json": {}}
    first = call(base, consumer, "POST", "/v1/coupon-templates/warm-up-300-30/claims", **claim)
    retry = call(base, consumer, "POST", "/v1/coupon-templates/warm-up-300-30/claims", **claim)
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"]
    other = {"headers": {"Idempotency-Key": "claim-2"}, "json": {}}
    limit = call(base, consumer, "POST", "/v1/coupon-templates/warm-up-300-30/claims", **other)
    assert limit.status_code == 409
    assert limit.json()["error"]["code"] == "per_user_limit_reached"
    counts = call(base, operator, "GET", "/v1/coupon-templates/warm-up-300-30/counts").json()
    assert counts == {"total_stock": 50000, "issued": 1, "left": 49999}

    # burst, 20:05: a phone at the flash price, a coat under 服饰满300减50, the coupon
    clock.now = BURST
    cart = {
        "items": [
            {"sku": "P-PHONE", "qty": 1},
            {"sku": "A-COAT", "qty": 1},
        ]
    }
    quoted = call(base, consumer, "POST", "/v1/quotes", json={"cart": cart}).json()
    applied = {d["id"] for d in quoted["applied"]}
    assert {"flash-phone-20h", "apparel-300-50", first.json()["id"]} <= applied
    assert quoted["payable"] == 399900 + 45900 - 40000 - 5000 - 3000
    assert quoted["funding"]["platform"] == 3500 + 3000  # 70% of 50.00, and the coupon

    # risk kills the flash sale: the next quote no longer has it
    killed = call(
        base, risk, "POST", "/v1/campaigns/double11-2026/promotions/flash-phone-20h/kill", json={}
    )
    assert killed.status_code == 200
    requoted = call(base, consumer, "POST", "/v1/quotes", json={"cart": cart}).json()
    assert "flash-phone-20h" not in {d["id"] for d in requoted["applied"]}


def test_checkout_pay_refund_over_http_reconciles_to_the_fen(api, engine):
    base, tokens, clock = api
    operator, consumer, service = tokens[Role.OPERATOR], tokens[Role.CONSUMER], tokens[Role.SERVICE]
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=_json(double11()))
    clock.now = BURST
    body = {
        "cart": {
            "items": [
                {"sku": "A-COAT", "qty": 2},
            ]
        }
    }
    key = {"Idempotency-Key": "order-1"}
    placed = call(base, consumer, "POST", "/v1/orders", headers=dict(key), json=body)
    again = call(base, consumer, "POST", "/v1/orders", headers=dict(key), json=body)
    assert placed.status_code == again.status_code == 201
    assert placed.json()["id"] == again.json()["id"]
    other = {"cart": {"items": [dict(body["cart"]["items"][0], qty=1)]}}
    conflict = call(base, consumer, "POST", "/v1/orders", headers=dict(key), json=other)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"

    order_id = placed.json()["id"]
    refused = call(base, consumer, "POST", f"/v1/orders/{order_id}/pay")
    assert refused.status_code == 403  # only the provider's callback (or finance) pays
    started = call(base, consumer, "POST", f"/v1/orders/{order_id}/payments")
    assert started.status_code == 201
    assert started.json()["amount"] == placed.json()["payable"]
    deadline = time.monotonic() + 15
    while call(base, consumer, "GET", f"/v1/orders/{order_id}").json()["status"] != "paid":
        assert time.monotonic() < deadline, "the payment provider never called back"
        time.sleep(0.05)
    refund = call(
        base,
        service,
        "POST",
        f"/v1/orders/{order_id}/refunds",
        headers={"Idempotency-Key": "refund-1"},
        json={"sku": "A-COAT", "qty": 1},
    )
    assert refund.status_code == 201
    funding = call(base, service, "GET", f"/v1/orders/{order_id}/funding").json()
    paid = placed.json()["lines"][0]["discounts"]
    clawed = refund.json()["clawbacks"]
    assert funding["platform"] == sum(d["platform"] for d in paid) - sum(
        c["platform"] for c in clawed
    )
    funded = funding["platform"] + sum(funding["merchants"].values())
    assert funded == sum(d["amount"] for d in paid) - sum(c["amount"] for c in clawed)
    assert refund.json()["amount"] == placed.json()["payable"] // 2  # one coat of two


def test_merchant_enrolls_operator_approves_and_the_campaign_price_sells(api, engine):
    base, tokens, clock = api
    operator, consumer = tokens[Role.OPERATOR], tokens[Role.CONSUMER]
    merchant = SqlPrincipals(engine).issue(
        "m-north", Role.MERCHANT, frozenset({"north-wear"}), BURST
    )
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=_json(double11()))
    profile = {"verified": True, "rating_bp": 9400, "categories": ["apparel"]}
    assert call(base, operator, "PUT", "/v1/merchants/north-wear", json=profile).status_code == 204
    terms = {
        "shop": "north-wear",
        "sku": "A-SCARF",
        "list_price": 12900,
        "campaign_price": 9900,
        "committed_stock": 300,
    }
    hijack = dict(terms, sku="P-PHONE", list_price=399900, campaign_price=100)
    taken = call(base, merchant, "POST", "/v1/campaigns/double11-2026/enrollments", json=hijack)
    assert taken.status_code == 422  # another shop's SKU under one's own shop
    assert taken.json()["error"]["field"] == "sku"
    others = dict(terms, shop="digital-flagship")
    assert (
        call(
            base, merchant, "POST", "/v1/campaigns/double11-2026/enrollments", json=others
        ).status_code
        == 403
    )
    enrolled = call(base, merchant, "POST", "/v1/campaigns/double11-2026/enrollments", json=terms)
    assert enrolled.status_code == 201, enrolled.text
    reviewed = call(
        base,
        operator,
        "POST",
        f"/v1/enrollments/{enrolled.json()['id']}/review",
        json={"approve": True, "note": "价格合规"},
    )
    assert reviewed.json()["review"] == "approved"

    clock.now = BURST
    cart = {"items": [{"sku": "A-SCARF", "qty": 1}]}
    quoted = call(base, consumer, "POST", "/v1/quotes", json={"cart": cart}).json()
    assert quoted["payable"] == 9900
    assert quoted["funding"]["merchants"]["north-wear"] == 3000  # the merchant's own cut


def test_an_ineligible_shop_cannot_enroll(api, engine):
    base, tokens, _ = api
    operator = tokens[Role.OPERATOR]
    merchant = SqlPrincipals(engine).issue("m-low", Role.MERCHANT, frozenset({"low-shop"}), BURST)
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=_json(double11()))
    call(
        base, operator, "PUT", "/v1/merchants/low-shop", json={"verified": True, "rating_bp": 7000}
    )
    terms = {
        "shop": "low-shop",
        "sku": "X",
        "list_price": 1000,
        "campaign_price": 900,
        "committed_stock": 10,
    }
    refused = call(base, merchant, "POST", "/v1/campaigns/double11-2026/enrollments", json=terms)
    assert refused.status_code == 422
    assert "rating" in refused.json()["error"]["message"]


def test_activity_codes_and_bulk_grants_over_http(api):
    base, tokens, _ = api
    operator, consumer = tokens[Role.OPERATOR], tokens[Role.CONSUMER]
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=_json(double11()))
    made = call(
        base,
        operator,
        "POST",
        "/v1/coupon-templates/warm-up-300-30/codes",
        json={"code": "DOUBLE11", "max_uses": 100},
    )
    assert made.status_code == 201
    first = call(base, consumer, "POST", "/v1/codes/DOUBLE11/claims", json={})
    again = call(base, consumer, "POST", "/v1/codes/DOUBLE11/claims", json={})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    granted = call(
        base,
        operator,
        "POST",
        "/v1/coupon-templates/newcomer-red-20/grants",
        json={"batch": "vip", "customers": ["a", "b", "a"]},
    )
    assert granted.json() == {"a": "issued", "b": "issued"}


def test_per_user_limits_and_members_only_campaigns(api, engine):
    base, tokens, clock = api
    operator, consumer = tokens[Role.OPERATOR], tokens[Role.CONSUMER]
    document = _json(double11())
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=document)
    merchant = SqlPrincipals(engine).issue("m1", Role.MERCHANT, frozenset({"north-wear"}), BURST)
    call(
        base,
        operator,
        "PUT",
        "/v1/merchants/north-wear",
        json={"verified": True, "rating_bp": 9500},
    )
    terms = {
        "shop": "north-wear",
        "sku": "A-SCARF",
        "list_price": 12900,
        "campaign_price": 9900,
        "committed_stock": 100,
    }
    enrolled = call(base, merchant, "POST", "/v1/campaigns/double11-2026/enrollments", json=terms)
    call(
        base,
        operator,
        "POST",
        f"/v1/enrollments/{enrolled.json()['id']}/review",
        json={"approve": True},
    )
    clock.now = BURST
    four = {"cart": {"items": [{"sku": "A-SCARF", "qty": 4}]}}
    refused = call(
        base, consumer, "POST", "/v1/orders", headers={"Idempotency-Key": "o"}, json=four
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "cart.items[0].qty"  # 每人限购3件

    document["participation"]["members_only"] = True
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=document)
    one = {"cart": {"items": [dict(four["cart"]["items"][0], qty=1)]}}
    guest = call(base, consumer, "POST", "/v1/quotes", json=one).json()
    claimed = call(base, consumer, "POST", "/v1/quotes", json=dict(one, member_tier="gold"))
    assert claimed.status_code == 422  # a tier the customer says they have is not trusted
    assert claimed.json()["error"]["field"] == "member_tier"
    clock.platform.profiles.put("u-1024", BURST, member_tier="gold")
    member = call(base, consumer, "POST", "/v1/quotes", json=one).json()
    assert guest["payable"] == 12900
    assert member["payable"] == 9900


def test_a_paused_campaign_stops_its_coupons_being_claimed_and_applied(api):
    base, tokens, clock = api
    operator, consumer = tokens[Role.OPERATOR], tokens[Role.CONSUMER]
    call(base, operator, "PUT", "/v1/campaigns/double11-2026", json=_json(double11()))
    claims = "/v1/coupon-templates/warm-up-300-30/claims"
    held = call(base, consumer, "POST", claims, headers={"Idempotency-Key": "c1"}, json={})
    assert held.status_code == 201, held.text
    clock.now = BURST
    cart = {"cart": {"items": [{"sku": "A-COAT", "qty": 1}]}}
    status = "/v1/campaigns/double11-2026/status"
    assert call(base, operator, "POST", status, json={"status": "paused"}).status_code == 200
    quoted = call(base, consumer, "POST", "/v1/quotes", json=cart).json()
    assert held.json()["id"] not in {d["id"] for d in quoted["applied"]}
    assert quoted["payable"] == 45900  # nothing of a paused campaign prices
    refused = call(base, consumer, "POST", claims, headers={"Idempotency-Key": "c2"}, json={})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "campaign_state"
    grants = "/v1/coupon-templates/warm-up-300-30/grants"
    granted = call(base, operator, "POST", grants, json={"batch": "vip", "customers": ["a"]})
    assert granted.status_code == 409  # nor granted in bulk by an operator
    assert call(base, operator, "POST", status, json={"status": "live"}).status_code == 200
    quoted = call(base, consumer, "POST", "/v1/quotes", json=cart).json()
    assert held.json()["id"] in {d["id"] for d in quoted["applied"]}
