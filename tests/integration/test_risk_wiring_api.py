"""The risk check on the paths that move money, over HTTP with the real rules engine, on
SQLite and PostgreSQL: the request's identity (its X-Device-Id, its address, the delivery
address, the paying account) reaches the check; a block answers 403 risk_blocked and says
nothing more; review holds the reward of a purchase, and holds a refund's money."""

import re
import time
from datetime import timedelta

import pytest

from dacu.adapters.message_outbox import SqlMessageOutbox
from dacu.domain.access import Role
from dacu.domain.risk import Action, RiskQuery, Verdict
from dacu.domain.risk_deeds import DeedStatus, order_subject, refund_subject
from dacu.domain.risk_rules import ListKind
from dacu.domain.rules import Window
from tests.integration.payments_rig import COAT, NOW, Site
from tests.integration.risk_wiring_rig import BAD_DEVICE, GOOD_DEVICE, engine_served
from tests.integration.test_coupon_claims import template

pytestmark = pytest.mark.integration

REFUSED = {"error": {"code": "risk_blocked", "message": "refused", "field": None}}
ADDRESS = {
    "receiver": "李华",
    "phone": "13800138000",
    "region": "上海市 浦东新区",
    "detail": "世纪大道 100 号 1 号楼 101",
}
WATCHED_ADDRESS = "上海市浦东新区世纪大道100号1号楼101"  # as the address normalises


@pytest.fixture
def site(engine):
    watched = ((ListKind.ADDRESS, WATCHED_ADDRESS),)
    with engine_served(engine, watched) as served_site:
        yield served_site


def _checkout(site: Site, key: str, device: str, address: dict | None = None):
    body: dict = {"cart": {"items": [dict(COAT, qty=1)]}}
    if address is not None:
        body["address"] = address
    headers = {"Idempotency-Key": key, "X-Device-Id": device}
    return site.call(Role.CONSUMER, "POST", "/v1/orders", headers=headers, json=body)


def test_a_blacklisted_device_is_refused_checkout_with_nothing_more_said(site):
    refused = _checkout(site, "k-bad", BAD_DEVICE)
    assert refused.status_code == 403, refused.text
    assert refused.json() == REFUSED
    # no order was placed for the key
    assert site.platform.orders.find("u-1024", "k-bad") is None
    logged = site.decisions.recent("u-1024")
    assert logged[0]["action"] == "checkout"
    assert logged[0]["verdict"] == "block"
    assert logged[0]["identity"]["device"] == BAD_DEVICE
    assert logged[0]["identity"]["ip"] == "127.0.0.1"


def test_an_order_under_review_goes_through_and_its_rewards_are_held(site):
    # given: a delivery address the risk desk watches
    placed = _checkout(site, "k-watched", GOOD_DEVICE, ADDRESS)

    # then: the purchase goes through ...
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    gate = site.platform.risk_gate
    assert gate is not None
    deed = gate.deeds.find(order_subject(order_id))
    assert deed is not None
    assert deed.verdict is Verdict.REVIEW
    # ... the check saw the header's device, the connection's address and the delivery
    # address; the address is kept on the order to ship it
    assert (deed.identity.device, deed.identity.ip) == (GOOD_DEVICE, "127.0.0.1")
    assert deed.identity.address == WATCHED_ADDRESS
    shipped_to = gate.deeds.address(order_id)
    assert shipped_to is not None
    assert shipped_to.receiver == "李华"
    logged = site.decisions.recent("u-1024")[0]
    assert logged["identity"]["device"] == GOOD_DEVICE
    assert logged["verdict"] == "review"
    # ... and a reward the order triggers (a rebate, the coins it earns) is held
    for query in (
        RiskQuery(Action.MERCHANT_REBATE, "shop-a", NOW, context={"order": order_id}),
        RiskQuery(Action.COIN_EARN, "u-1024", NOW, subject=f"paid:{order_id}"),
    ):
        assert site.platform.risk.assess(query).verdict is Verdict.REVIEW


def test_an_allowed_order_keeps_its_identity_for_the_rewards_it_triggers(site):
    placed = _checkout(site, "k-ok", GOOD_DEVICE)
    assert placed.status_code == 201, placed.text
    gate = site.platform.risk_gate
    assert gate is not None
    deed = gate.deeds.find(order_subject(placed.json()["id"]))
    assert deed is not None
    assert deed.verdict is Verdict.ALLOW
    assert deed.identity.device == GOOD_DEVICE
    # a retry of the checkout is the same order, its first identity kept
    again = _checkout(site, "k-ok", GOOD_DEVICE)
    assert again.json()["id"] == placed.json()["id"]


def test_a_device_id_that_is_not_printable_or_too_long_is_a_422_naming_the_header(site):
    for device in ("x" * 65, "dev\tice"):
        answer = _checkout(site, f"k-{len(device)}", device)
        assert answer.status_code == 422, answer.text
        assert "X-Device-Id" in answer.text


def test_a_bad_delivery_address_is_a_422_naming_its_field(site):
    for field, value in (("receiver", ""), ("detail", "x" * 257), ("phone", "call me")):
        answer = _checkout(site, f"k-{field}", GOOD_DEVICE, ADDRESS | {field: value})
        assert answer.status_code == 422, answer.text
        assert field in answer.text
    assert site.platform.orders.find("u-1024", "k-receiver") is None


def test_the_paying_account_comes_from_the_channels_callback(site):
    placed = _checkout(site, "k-pay", GOOD_DEVICE)
    order_id = placed.json()["id"]
    started = site.start(order_id)
    assert started.status_code == 201, started.text
    site.wait_paid(order_id)
    gate = site.platform.risk_gate
    assert gate is not None
    deadline = time.monotonic() + 5  # the callback tells the check just after paying
    while (deed := gate.deeds.find(f"payment:{order_id}")) is None:
        assert time.monotonic() < deadline, "the payment was never checked"
        time.sleep(0.05)
    assert deed.identity.payment_account == "simpay-payer-u-1024"
    assert deed.identity.device == GOOD_DEVICE  # the checkout's, carried over


def _paid_order(site: Site, key: str) -> str:
    order_id = str(_checkout(site, key, GOOD_DEVICE).json()["id"])
    site.start(order_id)
    site.wait_paid(order_id)
    return order_id


def _refund(site: Site, order_id: str, key: str, device: str = GOOD_DEVICE):
    headers = {"Idempotency-Key": key, "X-Device-Id": device}
    body = {"sku": COAT["sku"], "qty": 1}
    path = f"/v1/orders/{order_id}/refunds"
    return site.call(Role.CONSUMER, "POST", path, headers=headers, json=body)


def test_a_blocked_refund_is_refused(site):
    order_id = _paid_order(site, "k-r1")
    refused = _refund(site, order_id, "r-1", BAD_DEVICE)
    assert refused.status_code == 403
    assert refused.json() == REFUSED
    assert site.platform.orders.get(order_id).refunded == {}


def test_a_refund_under_review_is_held_until_released_then_paid_back(site):
    # given: a paid order, and its buyer watched by the risk desk
    order_id = _paid_order(site, "k-r2")
    site.platform.risk_rules.blacklist(ListKind.ACCOUNT, "u-1024", "refund abuse", "risk-qa")
    site.platform.risk.inner.listed._checked = float("-inf")  # read the list now

    # when: they ask for a refund, and ask again
    held = _refund(site, order_id, "r-2")
    again = _refund(site, order_id, "r-2")

    # then: it is held, and no money goes back
    assert held.status_code == 409
    assert held.json()["error"]["code"] == "risk_held"
    assert again.status_code == 409
    assert site.platform.orders.get(order_id).refunded == {}
    gate = site.platform.risk_gate
    assert gate is not None
    subject = refund_subject(order_id, "r-2")
    assert [d.subject for d in gate.held(Action.REFUND)] == [subject]

    # when: a person releases it, the refund is made; a retry answers it
    assert gate.release(subject)
    assert not gate.release(subject)  # decided once
    assert site.platform.orders.get(order_id).refunded == {COAT["sku"]: 1}
    done = _refund(site, order_id, "r-2")
    assert done.status_code == 201, done.text
    found = gate.deeds.find(subject)
    assert found is not None
    assert found.status is DeedStatus.RELEASED


def test_a_blocked_flash_attempt_is_refused_with_risk_blocked(site):
    headers = {"X-Device-Id": BAD_DEVICE}
    body = {"request_id": "req-1", "qty": 1}
    answer = site.call(
        Role.CONSUMER, "POST", "/v1/flash-sales/no-such-sale/attempts", headers=headers, json=body
    )
    assert answer.status_code == 403, answer.text
    assert answer.json() == REFUSED
    logged = site.decisions.recent("u-1024")[0]
    assert logged["action"] == "flash_attempt"
    assert logged["identity"]["device"] == BAD_DEVICE


def test_a_coupon_claim_from_a_blocked_device_is_refused_and_the_allowed_one_claims(site):
    window = Window(NOW - timedelta(days=1), NOW + timedelta(days=1))
    site.platform.coupons.add_template(template(claim_window=window), NOW)
    path = "/v1/coupon-templates/t-300-30/claims"

    def claim(key: str, device: str):
        headers = {"Idempotency-Key": key, "X-Device-Id": device}
        return site.call(Role.CONSUMER, "POST", path, headers=headers, json={})

    refused = claim("c-1", BAD_DEVICE)
    assert refused.status_code == 403, refused.text
    assert refused.json() == REFUSED
    assert site.platform.coupons.wallet("u-1024") == []
    logged = site.decisions.recent("u-1024")[0]
    assert logged["action"] == "coupon_claim"
    assert logged["amount"] == 3000  # the coupon's face value
    assert logged["identity"]["device"] == BAD_DEVICE
    assert claim("c-2", GOOD_DEVICE).status_code == 201


def test_a_blocked_registration_signs_in_with_no_reward_and_its_device_is_seen(site):
    phone = "13800138000"
    asked = site.call(None, "POST", "/v1/customers/codes", json={"phone": phone})
    assert asked.status_code == 202, asked.text
    text = SqlMessageOutbox(site.engine).last_message("+86" + phone)
    assert text is not None
    code = re.search(r"\d{6}", text)
    assert code is not None
    body = {"phone": phone, "code": code.group(), "invite_code": "SOMEONE"}
    signed = site.call(
        None, "POST", "/v1/customers/sessions", json=body, headers={"X-Device-Id": BAD_DEVICE}
    )
    # the member is registered and signed in; the invite code is not honoured
    assert signed.status_code == 201, signed.text
    assert signed.json()["new"] is True
    assert signed.json()["codes"] == {}
    customer_id = signed.json()["customer_id"]
    logged = site.decisions.recent(customer_id)[0]
    assert logged["action"] == "registration"
    assert logged["verdict"] == "block"
    assert logged["identity"]["device"] == BAD_DEVICE
    assert logged["identity"]["phone"] == "+86" + phone  # the verified phone, the server's
