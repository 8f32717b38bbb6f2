"""The built-in simulated payment provider: collects every payment and calls back, signed.

For development, the tests and the simulator. Asked to collect a payment, it
signs a callback with its channel's secret and hands it to its sender: over
HTTP to the API's callback route (`HttpCallbacks`, in a thread of its own, as
a real provider answers after the payment page), or straight to the payment
service in the simulator. Its transaction and refund references derive from
our ids, so a retry in any process is the same transaction. `failing` makes it
fail every request as a provider that times out would.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

import httpx

from dacu.domain.payments import Notice, Payment, PaymentUnavailable, sign
from dacu.services.ports.payments import SignedCallback

log = logging.getLogger("dacu.payments")

Sender = Callable[[SignedCallback], object]

CALLBACK_PATH = "/v1/payments/callback/{channel}"


class SimulatedProvider:
    def __init__(self, channel: str, secret: str, sender: Sender) -> None:
        self.channel, self._secret, self.sender = channel, secret, sender
        self.failing = False
        self.refunds: dict[str, int] = {}  # refund reference → fen given back

    def start(self, payment: Payment, now: datetime) -> None:
        self._answer()
        payer = f"{self.channel}-payer-{payment.customer_id}"  # one account per customer
        notice = Notice(payment.id, f"{self.channel}-{payment.id}", payment.amount, True, payer)
        self.sender(self.signed(notice, now))

    def refund(self, payment: Payment, refund_id: str, amount: int, now: datetime) -> str:
        self._answer()
        reference = f"{self.channel}-rf-{refund_id}"
        self.refunds.setdefault(reference, amount)
        return reference

    def signed(self, notice: Notice, now: datetime) -> SignedCallback:
        """The callback the provider sends about `notice`, signed at `now`."""
        body = notice.body()
        timestamp = int(now.timestamp())
        return SignedCallback(
            self.channel, str(timestamp), sign(self._secret, timestamp, body), body
        )

    def _answer(self) -> None:
        if self.failing:
            raise PaymentUnavailable(f"payment channel {self.channel} timed out")


class HttpCallbacks:
    """Posts each callback to `base_url` + the callback route, retrying a few times."""

    def __init__(self, base_url: str, timeout: float = 5.0, background: bool = True) -> None:
        self.base_url, self._timeout, self._background = base_url, timeout, background

    def __call__(self, callback: SignedCallback) -> None:
        if self._background:
            threading.Thread(target=self.post, args=(callback,), daemon=True).start()
        else:
            self.post(callback)

    def post(self, callback: SignedCallback) -> int | None:
        """Deliver it; the status it was answered with, None if it never arrived."""
        url = self.base_url.rstrip("/") + CALLBACK_PATH.format(channel=callback.channel)
        headers = {
            "Content-Type": "application/json",
            "X-Dacu-Timestamp": callback.timestamp,
            "X-Dacu-Signature": callback.signature,
        }
        for attempt in range(3):
            try:
                answer = httpx.post(
                    url, content=callback.body, headers=headers, timeout=self._timeout
                )
            except httpx.HTTPError as error:
                log.warning("payment callback to %s failed: %s", url, error)
            else:
                if answer.status_code < 500:
                    return answer.status_code
            time.sleep(0.2 * (attempt + 1))
        return None
