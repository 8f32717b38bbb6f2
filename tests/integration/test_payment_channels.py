"""The backup channel (备用支付通道) and refunds through the provider, over HTTP on SQLite
and PostgreSQL, failures counted in SQL or in Redis."""

import pytest

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.audit import history
from dacu.domain.access import Role
from tests.integration.conftest import REDIS, intake_of
from tests.integration.payments_rig import BACKUP, FAILOVER_AFTER, PRIMARY, served

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sql", REDIS])
def site(request, engine):
    with intake_of(request.param) as (redis_url, prefix), served(engine, redis_url, prefix) as it:
        yield it


def _switches(site) -> list[tuple[str, dict, dict]]:
    return [(e["actor"], e["before"], e["after"]) for e in history(site.engine, "payment-channel")]


def _standing(site, channel: str) -> list[str]:
    alerts = SqlAlertStore(site.engine).alerts(f"payment-channel:{channel}", standing=True)
    return [alert.kind for alert in alerts]


def test_after_n_failures_of_the_primary_new_payments_go_to_the_backup(site):
    # given: the primary provider times out on every request
    site.provider(PRIMARY).failing = True
    orders = [site.order(f"o-{n}")["id"] for n in range(FAILOVER_AFTER)]

    # when: customers try to pay; each failure counts against the primary
    for order_id in orders[:-1]:
        refused = site.start(order_id)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "payment_unavailable"
    assert site.platform.payments.channels.active() == PRIMARY
    last = site.start(orders[-1])

    # then: the failure that reaches the threshold moves payments to the backup at once
    assert last.status_code == 201, last.text
    assert last.json()["channel"] == BACKUP
    site.wait_paid(orders[-1])
    channels = site.call(Role.OPERATOR, "GET", "/v1/payments/channels").json()
    assert channels["active"] == BACKUP
    assert channels["errors"][PRIMARY] == FAILOVER_AFTER
    # the switch is audited, by the system, and raises an alert
    [(actor, before, after)] = _switches(site)
    assert (actor, before, after["active"]) == ("system", {"active": PRIMARY}, BACKUP)
    assert _standing(site, BACKUP) == ["payment_switch"]
    # the customers who were refused pay on the backup now
    retried = site.start(orders[0])
    assert retried.json()["channel"] == BACKUP
    site.wait_paid(orders[0])


def test_an_operator_switches_channels_by_hand_audited_with_an_alert(site):
    path = "/v1/payments/channels/active"
    to_backup = {"channel": BACKUP, "reason": "主通道维护"}
    for role in (Role.CONSUMER, Role.FINANCE):
        assert site.call(role, "POST", path, json=to_backup).status_code == 403
    unknown = site.call(Role.OPERATOR, "POST", path, json={"channel": "nope"})
    assert unknown.status_code == 404

    moved = site.call(Role.OPERATOR, "POST", path, json=to_backup)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["switched"], moved.json()["active"]) == (True, BACKUP)
    again = site.call(Role.OPERATOR, "POST", path, json=to_backup)
    assert again.json()["switched"] is False
    site.hold_callbacks()  # the payment started on the backup waits for its provider
    order = site.order("o-1")
    assert site.start(order["id"]).json()["channel"] == BACKUP

    back = site.call(Role.OPERATOR, "POST", path, json={"channel": PRIMARY, "reason": "恢复"})
    assert back.json()["active"] == PRIMARY
    assert [(actor, b["active"], a["active"]) for actor, b, a in _switches(site)] == [
        ("ops-lihua", PRIMARY, BACKUP),
        ("ops-lihua", BACKUP, PRIMARY),
    ]
    assert _switches(site)[0][2]["reason"] == "主通道维护"
    assert _standing(site, BACKUP) == []  # cleared when payments left it
    assert _standing(site, PRIMARY) == ["payment_switch"]
    # the payment waiting on the backup is left as is; a new start goes to the primary
    assert site.start(order["id"]).json()["channel"] == PRIMARY


def test_a_refund_goes_through_the_provider_once_per_key(site):
    order = site.order("o-1", qty=2)
    payment = site.start(order["id"]).json()
    site.wait_paid(order["id"])
    path = f"/v1/orders/{order['id']}/refunds"
    key = {"Idempotency-Key": "refund-1"}
    body = {"sku": "A-COAT", "qty": 1}

    # when: the provider is down, nothing is refunded and the key may be retried
    site.provider(PRIMARY).failing = True
    down = site.call(Role.CONSUMER, "POST", path, headers=dict(key), json=body)
    assert down.status_code == 503
    assert site.platform.orders.refunded_money(order["id"]) == 0
    site.provider(PRIMARY).failing = False

    first = site.call(Role.CONSUMER, "POST", path, headers=dict(key), json=body)
    again = site.call(Role.CONSUMER, "POST", path, headers=dict(key), json=body)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    assert first.json()["amount"] == order["payable"] // 2
    # the provider gave the money back once, and the payment records it
    assert list(site.provider(PRIMARY).refunds.values()) == [order["payable"] // 2]
    settled = site.call(Role.CONSUMER, "GET", f"/v1/payments/{payment['id']}").json()
    assert (settled["status"], settled["refunded"]) == ("succeeded", order["payable"] // 2)
    # the second coat, under another key, refunds the payment whole
    key2 = {"Idempotency-Key": "refund-2"}
    assert site.call(Role.SERVICE, "POST", path, headers=key2, json=body).status_code == 201
    whole = site.call(Role.CONSUMER, "GET", f"/v1/payments/{payment['id']}").json()
    assert (whole["status"], whole["refunded"]) == ("refunded", order["payable"])
    assert site.call(Role.CONSUMER, "GET", f"/v1/orders/{order['id']}").json()["status"] == (
        "refunded"
    )
