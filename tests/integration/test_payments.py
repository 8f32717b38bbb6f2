"""Paying over HTTP on SQLite and PostgreSQL: an order is paid only by its provider's
verified callback (or by finance, audited); every other callback is refused and recorded."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from dacu.adapters.audit import history
from dacu.adapters.payment_store import SqlPaymentStore
from dacu.domain.access import Role
from dacu.domain.payments import Notice, sign
from dacu.services.ports.payments import SignedCallback
from tests.integration.payments_rig import PRIMARY, Site, served

pytestmark = pytest.mark.integration


@pytest.fixture
def site(engine):
    with served(engine) as served_site:
        yield served_site


def _held_start(site: Site, key: str) -> tuple[dict, dict, SignedCallback]:
    """An order, its payment started, and the provider's callback held back."""
    site.hold_callbacks()
    order = site.order(key)
    started = site.start(order["id"])
    assert started.status_code == 201, started.text
    return order, started.json(), site.held.pop()


def _outcomes(site: Site, payment_id: str | None = None) -> list[tuple[str, str | None]]:
    return [(c["outcome"], c["reason"]) for c in site.platform.payments.callbacks(payment_id)]


def test_a_started_payment_is_paid_by_the_providers_callback_over_http(site):
    # given: an order of two coats
    order = site.order("o-1", qty=2)
    assert order["status"] == "pending_payment"

    # when: the customer starts paying
    started = site.start(order["id"])

    # then: the client is told the payment, its channel and the server's amount ...
    assert started.status_code == 201, started.text
    payment = started.json()
    assert (payment["channel"], payment["amount"]) == (PRIMARY, order["payable"])
    # ... and the simulated provider calls back over HTTP and the order is paid
    site.wait_paid(order["id"])
    settled = site.call(Role.CONSUMER, "GET", f"/v1/payments/{payment['id']}").json()
    assert settled["status"] == "succeeded"
    assert settled["transaction_id"] == f"{PRIMARY}-{payment['id']}"
    assert _outcomes(site, payment["id"]) == [("accepted", None)]
    # starting again answers the settled payment, not a second one
    again = site.start(order["id"])
    assert again.json()["id"] == payment["id"]


def test_a_consumer_cannot_mark_an_order_paid_but_finance_can_audited(site):
    order = site.order("o-1")
    refused = site.call(Role.CONSUMER, "POST", f"/v1/orders/{order['id']}/pay")
    assert refused.status_code == 403
    assert site.status(order["id"]) == "pending_payment"
    paid = site.call(
        Role.FINANCE, "POST", f"/v1/orders/{order['id']}/pay", json={"reason": "bank transfer"}
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    entries = history(site.engine, f"order:{order['id']}")
    assert [(e["actor"], e["action"]) for e in entries] == [("fin-zhao", "order.mark_paid")]
    assert entries[0]["after"] == {"status": "paid", "reason": "bank transfer"}


def test_a_forged_signature_is_refused_and_recorded(site):
    order, _payment, real = _held_start(site, "o-1")
    forged = SignedCallback(
        real.channel, real.timestamp, sign("guessed", int(real.timestamp), real.body), real.body
    )
    answer = site.send(forged)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "bad_signature"
    unsigned = site.call(None, "POST", f"/v1/payments/callback/{PRIMARY}", content=real.body)
    assert unsigned.status_code == 401
    assert site.status(order["id"]) == "pending_payment"
    assert _outcomes(site) == [("refused", "bad_signature")]
    # the real one still pays
    assert site.send(real).status_code == 200
    assert site.status(order["id"]) == "paid"


def test_a_stale_timestamp_is_refused(site):
    order, payment, _ = _held_start(site, "o-1")
    notice = Notice(payment["id"], "tx-1", payment["amount"], True)
    old = site.signed(notice, site.clock.now - timedelta(minutes=6))
    answer = site.send(old)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "stale_callback"
    assert site.status(order["id"]) == "pending_payment"
    assert _outcomes(site) == [("refused", "stale_callback")]


def test_a_replayed_callback_is_refused_and_the_order_paid_once(site):
    order, _payment, real = _held_start(site, "o-1")
    assert site.send(real).status_code == 200
    funded = site.call(Role.SERVICE, "GET", f"/v1/orders/{order['id']}/funding").json()
    replayed = site.send(real)
    assert replayed.status_code == 409
    assert replayed.json()["error"]["code"] == "callback_replayed"
    assert site.call(Role.SERVICE, "GET", f"/v1/orders/{order['id']}/funding").json() == funded
    assert _outcomes(site) == [("accepted", None), ("refused", "callback_replayed")]


def test_a_double_callback_of_one_transaction_settles_one_payment(site):
    order, payment, first = _held_start(site, "o-1")
    assert site.send(first).status_code == 200
    site.clock.now += timedelta(seconds=30)  # the provider tells it again, signed anew
    notice = Notice(payment["id"], f"{PRIMARY}-{payment['id']}", payment["amount"], True)
    again = site.send(site.signed(notice))
    assert again.status_code == 200
    assert again.json()["status"] == "succeeded"
    payments = site.call(Role.CONSUMER, "GET", f"/v1/orders/{order['id']}/payments").json()
    assert [p["id"] for p in payments] == [payment["id"]]
    other = site.send(site.signed(Notice(payment["id"], "tx-other", payment["amount"], True)))
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "payment_state"


def test_a_callback_for_another_amount_is_refused_and_recorded(site):
    order, payment, _ = _held_start(site, "o-1")
    less = site.send(site.signed(Notice(payment["id"], "tx-1", payment["amount"] - 1, True)))
    assert less.status_code == 409
    assert less.json()["error"]["code"] == "amount_mismatch"
    assert site.status(order["id"]) == "pending_payment"
    assert _outcomes(site, payment["id"]) == [("refused", "amount_mismatch")]


def test_callbacks_for_unknown_payments_and_cancelled_orders_are_refused(site):
    order, payment, real = _held_start(site, "o-1")
    unknown = site.send(site.signed(Notice("no-such-payment", "tx-9", 100, True)))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_payment"
    signed = site.signed(Notice(payment["id"], "tx-9", 100, True))
    elsewhere = site.send(SignedCallback("nope", signed.timestamp, signed.signature, signed.body))
    assert elsewhere.status_code == 404
    cancelled = site.call(Role.CONSUMER, "POST", f"/v1/orders/{order['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    late = site.send(real)
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "order_state"
    assert site.status(order["id"]) == "cancelled"
    assert [o for o in _outcomes(site) if o[0] == "refused"] == [
        ("refused", "unknown_payment"),
        ("refused", "order_state"),
    ]


def test_someone_elses_payment_is_not_shown_to_exist(site):
    order, payment, _ = _held_start(site, "o-1")
    stranger = site.platform.principals.issue("u-2048", Role.CONSUMER, frozenset(), site.clock.now)
    seen = site.call(
        None,
        "GET",
        f"/v1/payments/{payment['id']}",
        headers={"Authorization": f"Bearer {stranger}"},
    )
    assert seen.status_code == 404
    started = site.call(
        None,
        "POST",
        f"/v1/orders/{order['id']}/payments",
        headers={"Authorization": f"Bearer {stranger}"},
    )
    assert started.status_code == 404


def test_callbacks_of_one_transaction_racing_settle_it_once(site):
    order, payment, _ = _held_start(site, "o-1")
    transaction = f"{PRIMARY}-{payment['id']}"
    told = [
        site.signed(Notice(payment["id"], transaction, payment["amount"], True), at)
        for at in (site.clock.now - timedelta(seconds=n) for n in range(6))
    ]
    with ThreadPoolExecutor(len(told)) as pool:
        answers = list(pool.map(site.send, told))
    assert [a.status_code for a in answers] == [200] * len(told), [a.text for a in answers]
    assert site.platform.payments.get(payment["id"]).version == 2  # created, settled once
    assert site.status(order["id"]) == "paid"
    assert _outcomes(site) == [("accepted", None)] * len(told)


@pytest.mark.parametrize("left", ["received", "failed"])
def test_a_callback_whose_first_receipt_never_finished_is_taken_when_told_again(site, left):
    """The process that received it died (still "received" a minute on) or failed on it:
    the provider's retry settles the payment instead of being refused as a replay."""
    _order, payment, real = _held_start(site, "o-1")
    store = SqlPaymentStore(site.engine)
    first = store.note_callback(real, True, site.clock.now - timedelta(minutes=2))
    assert first is not None
    if left == "failed":
        store.settle_callback(first, payment["id"], "failed", "internal")
    told = site.send(real)
    assert told.status_code == 200, told.text
    assert site.platform.payments.get(payment["id"]).status.value == "succeeded"
    assert _outcomes(site) == [("accepted", None)]
    assert site.send(real).json()["error"]["code"] == "callback_replayed"


def test_a_callback_being_handled_elsewhere_is_still_refused_as_a_replay(site):
    _order, _payment, real = _held_start(site, "o-1")
    SqlPaymentStore(site.engine).note_callback(real, True, site.clock.now)  # moments ago
    assert site.send(real).json()["error"]["code"] == "callback_replayed"
