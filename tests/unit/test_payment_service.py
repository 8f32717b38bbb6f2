"""The payment service over in-memory fakes: paid only by a verified callback, once; the
backup channel after N failures, and by hand, each switch audited with an alert; refunds
through the provider once per key."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from dacu.adapters.simulated_payments import SimulatedProvider
from dacu.domain.orders import OrderStatus
from dacu.domain.payments import (
    BadSignature,
    CallbackReplayed,
    Notice,
    PaymentStatus,
    PaymentUnavailable,
)
from dacu.services.payment_channels import ChannelConfig, PaymentChannels
from dacu.services.payments import PaymentService
from dacu.services.ports.payments import SignedCallback
from tests.fakes import (
    FakeAlerts,
    FakeAuditTrail,
    FakeChannelErrors,
    FakeChannelRouting,
    FakePaymentStore,
)
from tests.unit.order_rig import BUYER, CART, NOW, Rig, rig

PRIMARY, BACKUP = "main", "spare"


@dataclass
class Payments:
    shop: Rig
    service: PaymentService
    providers: dict[str, SimulatedProvider]
    sent: list[SignedCallback]
    routing: FakeChannelRouting
    alerts: FakeAlerts
    audit: FakeAuditTrail


@pytest.fixture
def pay() -> Payments:
    shop = rig()
    sent: list[SignedCallback] = []
    providers = {
        name: SimulatedProvider(name, f"{name}-key", sent.append) for name in (PRIMARY, BACKUP)
    }
    config = ChannelConfig(PRIMARY, BACKUP, {PRIMARY: "main-key", BACKUP: "spare-key"}, 2, 60)
    routing, alerts, audit = FakeChannelRouting(), FakeAlerts(), FakeAuditTrail()
    channels = PaymentChannels(config, routing, FakeChannelErrors(), alerts)
    ids = iter(f"pay-{n}" for n in range(100))
    service = PaymentService(
        FakePaymentStore(), providers, channels, shop.orders, audit, lambda: NOW, lambda: next(ids)
    )
    return Payments(shop, service, providers, sent, routing, alerts, audit)


def test_an_order_is_paid_by_its_verified_callback_and_only_once(pay):
    order = pay.shop.orders.checkout(CART, BUYER, "k1")
    payment = pay.service.start(order.id, BUYER.id)
    assert (payment.channel, payment.amount) == (PRIMARY, order.payable)
    assert pay.shop.orders.get(order.id).status is OrderStatus.PENDING
    [callback] = pay.sent
    settled = pay.service.callback(callback)
    assert settled.status is PaymentStatus.SUCCEEDED
    assert pay.shop.orders.get(order.id).status is OrderStatus.PAID
    with pytest.raises(CallbackReplayed):
        pay.service.callback(callback)
    told_again = pay.providers[PRIMARY].signed(
        Notice(payment.id, settled.transaction_id or "", payment.amount, True),
        NOW + timedelta(seconds=5),
    )
    assert pay.service.callback(told_again, NOW + timedelta(seconds=5)) == settled
    assert [r["outcome"] for r in pay.service.callbacks()] == ["accepted", "refused", "accepted"]


def test_a_payment_whose_callback_was_lost_is_asked_again_and_settles_once(pay):
    # given: a payment started, its callback lost (the process that asked died)
    order = pay.shop.orders.checkout(CART, BUYER, "k1")
    first = pay.service.start(order.id, BUYER.id)
    lost = pay.sent.pop()
    # when: the customer goes to pay again
    again = pay.service.start(order.id, BUYER.id, NOW + timedelta(seconds=30))
    # then: the same payment, asked of its provider again under its id; it settles once
    assert again.id == first.id
    [callback] = pay.sent
    settled = pay.service.callback(callback, NOW + timedelta(seconds=30))
    assert settled.status is PaymentStatus.SUCCEEDED
    assert pay.service.callback(lost) == settled  # the lost one, arriving late: nothing more
    assert pay.shop.orders.get(order.id).status is OrderStatus.PAID
    [payment] = pay.service.of_order(order.id)
    assert payment.status is PaymentStatus.SUCCEEDED
    pay.sent.clear()
    assert pay.service.start(order.id, BUYER.id) == payment  # settled: asked of nobody
    assert not pay.sent


def test_a_callback_the_server_failed_on_is_taken_when_the_provider_tells_it_again(pay):
    # given: the order was paid, then saving the payment failed (a database gone)
    order = pay.shop.orders.checkout(CART, BUYER, "k1")
    pay.service.start(order.id, BUYER.id)
    [callback] = pay.sent
    store = pay.service._store
    save = store.save

    def broken(payment):
        raise RuntimeError("connection lost")

    store.save = broken
    with pytest.raises(RuntimeError):
        pay.service.callback(callback)
    assert pay.shop.orders.get(order.id).status is OrderStatus.PAID
    assert [r["outcome"] for r in pay.service.callbacks()] == ["failed"]
    # when: the provider sends the same callback again
    store.save = save
    settled = pay.service.callback(callback)
    # then: taken, not refused as a replay; the payment settles, the order stays paid once
    assert settled.status is PaymentStatus.SUCCEEDED
    assert [r["outcome"] for r in pay.service.callbacks()] == ["accepted"]
    with pytest.raises(CallbackReplayed):
        pay.service.callback(callback)


def test_a_callback_signed_with_another_channels_key_is_refused(pay):
    order = pay.shop.orders.checkout(CART, BUYER, "k1")
    pay.service.start(order.id, BUYER.id)
    [callback] = pay.sent
    with pytest.raises(BadSignature):
        pay.service.callback(
            SignedCallback(BACKUP, callback.timestamp, callback.signature, callback.body)
        )
    assert pay.shop.orders.get(order.id).status is OrderStatus.PENDING


def test_the_primary_failing_n_times_moves_new_payments_to_the_backup(pay):
    pay.providers[PRIMARY].failing = True
    first = pay.shop.orders.checkout(CART, BUYER, "k1")
    with pytest.raises(PaymentUnavailable):
        pay.service.start(first.id, BUYER.id)
    second = pay.shop.orders.checkout(CART, BUYER, "k2")
    moved = pay.service.start(second.id, BUYER.id)  # the second failure reaches 2
    assert moved.channel == BACKUP
    assert pay.routing.audit == [("system", PRIMARY, BACKUP, pay.routing.audit[0][3])]
    assert [a.subject for a in pay.alerts.alerts(standing=True)] == [f"payment-channel:{BACKUP}"]
    assert pay.service.start(first.id, BUYER.id).channel == BACKUP


def test_switching_by_hand_is_audited_raises_an_alert_and_clears_the_other(pay):
    channels = pay.service.channels
    assert channels.switch(BACKUP, "ops-1", "maintenance", NOW) is True
    assert channels.switch(BACKUP, "ops-1", "again", NOW) is False
    assert channels.switch(PRIMARY, "ops-1", "back", NOW) is True
    assert [(a, f, t) for a, f, t, _ in pay.routing.audit] == [
        ("ops-1", PRIMARY, BACKUP),
        ("ops-1", BACKUP, PRIMARY),
    ]
    standing = [a.subject for a in pay.alerts.alerts(standing=True)]
    assert standing == [f"payment-channel:{PRIMARY}"]
    assert len(pay.alerts.alerts()) == 2


def test_a_refund_is_asked_of_the_provider_once_per_key(pay):
    order = pay.shop.orders.checkout(CART, BUYER, "k1")
    pay.service.start(order.id, BUYER.id)
    pay.service.callback(pay.sent.pop())
    first = pay.service.refund(order.id, "COAT", 1, "r1")
    again = pay.service.refund(order.id, "COAT", 1, "r1")
    assert first == again
    assert list(pay.providers[PRIMARY].refunds.values()) == [first.amount]
    [payment] = pay.service.of_order(order.id)
    assert payment.refunded == first.amount


def test_finance_marks_an_order_paid_audited(pay):
    order = pay.shop.orders.checkout(CART, BUYER, "k1")
    paid = pay.service.mark_paid(order.id, "fin-1", "bank transfer")
    assert paid.status is OrderStatus.PAID
    assert pay.service.mark_paid(order.id, "fin-1", "again").status is OrderStatus.PAID
    assert [(e[0], e[1]) for e in pay.audit.entries] == [("fin-1", "order.mark_paid")]
