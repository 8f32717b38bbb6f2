"""Payments (支付): started by the customer, settled only by the provider's verified callback.

Starting a payment asks the active channel's provider to collect the order's
payable — the server's figure — and answers with what the client needs (the
payment's id and channel); a provider that fails counts against its channel
and the payment is tried once more on the channel that takes over. The
order becomes paid only here: on a callback that verifies (signature, five-
minute window, never seen before) and names the payment's exact amount, one
transaction per payment — or by the finance role, audited. Every callback is
recorded with what became of it. Refunds are asked of the provider first,
once per key, then clawed back by the order service.
"""

import logging
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import datetime
from typing import Any

from dacu.domain.errors import ConcurrentChange, DomainError
from dacu.domain.orders import Order, OrderStateError, OrderStatus, Refund, UnknownOrder
from dacu.domain.payments import (
    AmountMismatch,
    CallbackReplayed,
    Notice,
    Payment,
    PaymentRefund,
    PaymentStateError,
    PaymentStatus,
    PaymentUnavailable,
    RefundStatus,
    UnknownPayment,
    read_notice,
    verify,
)
from dacu.services.orders import OrderService
from dacu.services.payment_channels import PaymentChannels
from dacu.services.ports.payments import AuditTrail, Payments, PaymentStore, SignedCallback

Clock = Callable[[], datetime]
NewId = Callable[[], str]
PayerSeen = Callable[[str, str, str, int], None]  # order, customer, paying account, fen
log = logging.getLogger("dacu.payments")


class PaymentService:
    def __init__(
        self,
        store: PaymentStore,
        providers: Mapping[str, Payments],
        channels: PaymentChannels,
        orders: OrderService,
        audit: AuditTrail,
        clock: Clock,
        new_id: NewId,
    ) -> None:
        self._store, self.providers, self.channels = store, providers, channels
        self._orders, self._audit, self._clock, self._new_id = orders, audit, clock, new_id
        self.payer_seen: PayerSeen | None = None  # the risk check, told the paying account

    # --- starting ---------------------------------------------------------------------

    def start(self, order_id: str, customer_id: str, now: datetime | None = None) -> Payment:
        """The payment of the customer's order on the active channel: the one already
        settled, or the one waiting there asked again, else a new one asked of its
        provider."""
        now = now or self._clock()
        order = self._orders.get(order_id)
        if order.customer_id != customer_id:
            raise UnknownOrder(order_id)
        earlier = self._store.of_order(order_id)
        settled = [p for p in earlier if p.settled]
        if settled:
            return settled[0]
        if order.status is not OrderStatus.PENDING or now > order.pay_by:
            raise OrderStateError(f"order {order_id} is {order.status}; it cannot be paid")
        channel = self.channels.active()
        for payment in reversed(earlier):
            if payment.status is PaymentStatus.CREATED and payment.channel == channel:
                return self._ask_again(payment, now)
        return self._ask(order, channel, now)

    def _ask_again(self, payment: Payment, now: datetime) -> Payment:
        """A payment still waiting, asked of its provider again under its own id — the same
        transaction, never a second charge: the callback of the first asking may have been
        lost (with the process that asked, or past the provider's retries)."""
        try:
            self.providers[payment.channel].start(payment, now)
        except PaymentUnavailable:
            self.channels.failed(payment.channel, now)
            raise
        return self._store.get(payment.id)

    def _ask(self, order: Order, channel: str, now: datetime) -> Payment:
        tried: set[str] = set()
        while channel not in tried:
            tried.add(channel)
            payment = self._store.add(
                Payment(
                    self._new_id(),
                    order.id,
                    order.customer_id,
                    channel,
                    order.payable,
                    PaymentStatus.CREATED,
                    now,
                )
            )
            try:
                self.providers[channel].start(payment, now)
            except PaymentUnavailable:
                self._store.save(payment.fail())
                self.channels.failed(channel, now)
                channel = self.channels.active()
                continue
            return self._store.get(payment.id)  # a provider in process may have called back
        raise PaymentUnavailable(f"payment channel {channel} failed; try again shortly")

    # --- the provider's callback --------------------------------------------------------

    def callback(self, callback: SignedCallback, now: datetime | None = None) -> Payment:
        """Settle a payment as its provider's signed callback says; every callback is
        recorded, and one that is refused says why (its error code)."""
        now = now or self._clock()
        secret = self.channels.secret(callback.channel)
        try:
            verify(secret, callback.timestamp, callback.body, callback.signature, now)
        except DomainError as refused:
            self._refused(callback, refused, now)
            raise
        record = self._store.note_callback(callback, True, now)
        if record is None:
            replayed = CallbackReplayed("this callback was received before")
            self._refused(callback, replayed, now)
            raise replayed
        payment_id = None
        try:
            notice = read_notice(callback.body)
            payment_id = notice.payment_id
            settled = self._settle(callback.channel, notice, now)
        except DomainError as refused:
            self._store.settle_callback(record, payment_id, "refused", refused.code.value)
            raise
        except Exception:  # the server's fault (a database gone): the provider's retry is taken
            with suppress(Exception):
                self._store.settle_callback(record, payment_id, "failed", "internal")
            raise
        self._store.settle_callback(record, settled.id, "accepted", None)
        return settled

    def deliver(self, callback: SignedCallback) -> Payment:
        """A callback handed over in process (the simulator's providers), received at the
        moment it was signed — the simulator's clock, not the wall's."""
        sent = datetime.fromtimestamp(int(callback.timestamp), self._clock().tzinfo)
        return self.callback(callback, sent)

    def _refused(self, callback: SignedCallback, refused: DomainError, now: datetime) -> None:
        record = self._store.note_callback(callback, False, now)
        if record is not None:
            self._store.settle_callback(record, None, "refused", refused.code.value)

    def _settle(self, channel: str, notice: Notice, now: datetime) -> Payment:
        payment = self._store.get(notice.payment_id)
        if payment.channel != channel:
            raise UnknownPayment(notice.payment_id)
        if not notice.succeeded:
            failed = payment.fail()
            return payment if failed is payment else self._store.save(failed)
        succeeded = payment.succeed(notice.transaction_id, notice.amount, now)
        if succeeded is payment:
            return payment  # the same transaction told again
        order = self._orders.get(payment.order_id)
        if order.payable != payment.amount:
            raise AmountMismatch(f"order {order.id} is payable {order.payable} fen")
        others = [p.id for p in self._store.of_order(order.id) if p.settled and p.id != payment.id]
        if others:
            raise PaymentStateError(f"order {order.id} was paid by payment {others[0]}")
        self._pay(order.id, now)
        self._tell_payer(order.id, payment, notice.payer)
        try:
            return self._store.save(succeeded)
        except ConcurrentChange:
            again = self._store.get(payment.id)
            if again.settled and again.transaction_id == notice.transaction_id:
                return again  # the same callback, settled by another request meanwhile
            raise

    def _tell_payer(self, order_id: str, payment: Payment, payer: str) -> None:
        """The risk check hears who paid; the order is paid whatever it answers."""
        if self.payer_seen is None:
            return
        try:
            self.payer_seen(order_id, payment.customer_id, payer, payment.amount)
        except Exception:
            log.exception("the risk check of a payment failed")

    def _pay(self, order_id: str, now: datetime) -> None:
        """The order paid (OrderStateError when cancelled or expired); a race with another
        callback of the same payment is retried — paying a paid order changes nothing."""
        for attempt in range(3):
            try:
                self._orders.pay(order_id, now)
                return
            except ConcurrentChange:
                if attempt == 2:
                    raise

    # --- by hand, and reads --------------------------------------------------------------

    def mark_paid(
        self, order_id: str, actor: str, reason: str, now: datetime | None = None
    ) -> Order:
        """Finance marks an order paid (money taken outside the providers), audited."""
        now = now or self._clock()
        before = self._orders.get(order_id)
        paid = self._orders.pay(order_id, now)
        if before.status is not paid.status:
            self._audit.record(
                actor,
                "order.mark_paid",
                f"order:{order_id}",
                {"status": before.status.value},
                {"status": paid.status.value, "reason": reason},
                now,
            )
        return paid

    def get(self, payment_id: str) -> Payment:
        return self._store.get(payment_id)

    def of_order(self, order_id: str) -> list[Payment]:
        return self._store.of_order(order_id)

    def callbacks(self, payment_id: str | None = None) -> list[dict[str, Any]]:
        return self._store.callbacks(payment_id)

    # --- refunds ---------------------------------------------------------------------

    def refundable(self, order_id: str, sku: str, qty: int, key: str) -> bool:
        """Raise what `refund` would refuse, moving nothing; whether the refund is new
        (False: its key was asked before, its answer stands). Asked before the risk
        check, so neither a refused request nor a retry counts as another refund."""
        settled = [p for p in self._store.of_order(order_id) if p.settled]
        if settled and self._store.refund_of(settled[0].id, key) is not None:
            return False
        return self._orders.refundable(order_id, sku, qty, key)

    def refund(
        self,
        order_id: str,
        sku: str,
        qty: int,
        key: str,
        now: datetime | None = None,
        refund_id: str | None = None,
    ) -> Refund:
        """Give back `qty` units of `sku`: the provider refunds the money (once per key),
        then the order service claws back each discount's share."""
        now = now or self._clock()
        order = self._orders.get(order_id)
        settled = [p for p in self._store.of_order(order_id) if p.settled]
        if not settled:  # paid by hand: the money goes back the way it came
            return self._orders.refund(order_id, sku, qty, key, now, refund_id)
        payment = settled[0]
        asked = self._store.refund_of(payment.id, key)
        if asked is None:
            _, preview = order.refund(sku, qty)  # the amount, or why not
            asked = self._store.add_refund(
                PaymentRefund(
                    refund_id or self._new_id(),
                    payment.id,
                    key,
                    preview.amount,
                    RefundStatus.REQUESTED,
                    now,
                )
            )
        if asked.status is RefundStatus.REQUESTED:
            try:
                reference = self.providers[payment.channel].refund(
                    payment, asked.id, asked.amount, now
                )
            except PaymentUnavailable:
                self.channels.failed(payment.channel, now)
                raise
            self._store.refund_done(asked.id, reference, now)
            self._give_back(payment.id, asked.amount)
        return self._orders.refund(order_id, sku, qty, key, now, asked.id)

    def _give_back(self, payment_id: str, amount: int) -> None:
        for _ in range(3):
            payment = self._store.get(payment_id)
            try:
                self._store.save(payment.refund(amount))
                return
            except ConcurrentChange:
                continue
        raise ConcurrentChange(f"payment {payment_id} kept changing; retry the refund")
