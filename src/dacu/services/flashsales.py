"""Flash sales around the gate: open, buy, pay, sweep the unpaid, watch stock, remind,
reconcile — `FlashSaleService`, the one way in for the API, the CLI, the workers and
the simulator.

A sale belongs to a campaign: while the campaign is paused, ended, not yet
started or past its last phase, every attempt is refused (`campaign_state`),
in every process within a fraction of a second (`LiveCampaigns`).

The database is the system of record and moves first. Going to pay makes the
hold a full order paid through the payments path (`FlashCheckout`); the
sweeper cancels an unpaid full order before it releases the hold, so a
payment and a release agree on one winner through the order's row, and only
the winner touches the gate. A release left half done (releasing) is
finished by the next sweep, so a crash between the two stores loses nothing.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from dacu.domain.flashsale import (
    RELEASED,
    RELEASING,
    RESERVED,
    Decision,
    FlashSale,
    Hold,
    Outcome,
    StockGate,
    UnknownSale,
)
from dacu.domain.payments import PaymentUnavailable
from dacu.services.flash_checkout import FlashCheckout, FlashPayment
from dacu.services.flash_stock import StockView, Watch, stock_view, watch
from dacu.services.live_campaigns import LiveCampaigns
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.flash import (
    CheckedTerms,
    FlashStore,
    HotGate,
    OrderStreams,
    StreamWriter,
)
from dacu.services.ports.notifications import Notifications
from dacu.services.stock_reconcile import Reconciliation, reconcile

Offload = Callable[[Callable[[], Any]], Awaitable[Any]]  # runs a blocking call off the loop


class FlashSaleService:
    """Flash sales over the record (`store`) and the gate.

    `hot` is the gate's async hot path (Redis); without it, async callers get
    the same `gate` run through `offload`. `streams` are the order streams
    the Redis gate appends to; without them the gate writes orders itself.
    """

    def __init__(
        self,
        store: FlashStore,
        gate: StockGate,
        alerts: Alerts,
        notifications: Notifications,
        *,
        hot: HotGate | None = None,
        streams: OrderStreams | None = None,
        offload: Offload = asyncio.to_thread,
        live: LiveCampaigns | None = None,
        checkout: FlashCheckout | None = None,
    ) -> None:
        self._store, self._gate, self._hot, self._streams = store, gate, hot, streams
        self._alerts, self._notifications, self._offload = alerts, notifications, offload
        self._live, self._checkout = live, checkout
        self._campaign_of: dict[str, tuple[str, str]] = {}  # sale → campaign, promotion
        self._sales_read = float("-inf")  # when the sales' campaigns were last read

    def open(self, sale: FlashSale) -> bool:
        """Record the sale, then load it into the gate; True if it was new. With payments,
        its campaign must exist and its SKU be in the catalog (InvalidRule naming which)."""
        if self._checkout is not None:
            self._checkout.admit(sale)
        made = self._store.define(sale)
        stored = self._store.get(sale.id) or sale
        self._campaign_of[sale.id] = (stored.campaign_id, stored.promotion_id)
        self._gate.open(stored)
        return made

    def sales(self) -> list[FlashSale]:
        return self._store.all()

    def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
        risk: CheckedTerms | None = None,
    ) -> Decision:
        """抢购 in the calling thread: the answer is final for this request id (while its
        campaign is open: a paused, ended or not yet started one refuses every attempt);
        `risk`, the risk check the gate's step carries (a Redis gate's)."""
        if not self._campaign_open(sale_id, now):
            return Decision(Outcome.CAMPAIGN_STATE)
        return self._gated(sale_id, user_id, request_id, qty, now, ip, risk)

    def _gated(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str,
        risk: CheckedTerms | None,
    ) -> Decision:
        if risk is None:
            return self._gate.attempt(sale_id, user_id, request_id, qty, now, ip)
        return self._gate.attempt(sale_id, user_id, request_id, qty, now, ip, risk=risk)  # type: ignore[call-arg]

    async def attempt_async(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
        risk: CheckedTerms | None = None,
    ) -> Decision:
        """抢购 on the HTTP hot path: Redis only with Redis, else the gate off the loop. Its
        campaign's state is this process's copy, read again (off the loop) when 0.2 s old."""
        if not await self._campaign_open_async(sale_id, now):
            return Decision(Outcome.CAMPAIGN_STATE)
        if self._hot is not None and risk is not None:
            return await self._hot.attempt(sale_id, user_id, request_id, qty, now, ip, risk)
        if self._hot is not None:
            return await self._hot.attempt(sale_id, user_id, request_id, qty, now, ip)
        call = partial(self._gated, sale_id, user_id, request_id, qty, now, ip, risk)
        decided: Decision = await self._offload(call)
        return decided

    def _campaign_open(self, sale_id: str, now: datetime) -> bool:
        """Whether the sale's campaign is open now. A sale the record does not know is the
        gate's to answer (unknown_sale); the record's sales are read again at most once a
        second, so unknown ids cost the database nothing more."""
        if self._live is None:
            return True
        if self._sales_due(sale_id):
            self._sales_read = time.monotonic()
            self._campaign_of = self._store.campaigns()
        found = self._campaign_of.get(sale_id)
        return found is None or self._live.is_open(found[0], now, found[1])

    async def _campaign_open_async(self, sale_id: str, now: datetime) -> bool:
        """As `_campaign_open`, reading nothing on the loop: when the copy is stale one
        request refreshes it off the loop while the others answer from it."""
        live = self._live
        if live is None:
            return True
        if self._sales_due(sale_id) or not live.loaded:
            opened: bool = await self._offload(partial(self._campaign_open, sale_id, now))
            return opened
        if live.take_refresh():
            try:
                await self._offload(live.refresh)
            finally:
                live.refresh_done()
        found = self._campaign_of.get(sale_id)
        return found is None or live.known_open(found[0], now, found[1])

    def _sales_due(self, sale_id: str) -> bool:
        return sale_id not in self._campaign_of and time.monotonic() - self._sales_read >= 1.0

    def hold(self, sale_id: str, request_id: str) -> Hold | None:
        return self._gate.hold(sale_id, request_id)

    async def reservation(
        self, sale_id: str, request_id: str, user_id: str
    ) -> tuple[Hold, datetime] | None:
        """The buyer's hold for `request_id` and when to pay by; None if it is not theirs.

        With Redis, one round trip to Redis and nothing else.
        """
        if self._hot is not None:
            hold, pay_within_ms = await self._hot.hold(sale_id, request_id)
            pay_within = timedelta(milliseconds=pay_within_ms)
        else:
            hold, pay_within = await self._offload(partial(self._held, sale_id, request_id))
        if hold is None or hold.user_id != user_id:
            return None
        return hold, hold.accepted_at + pay_within

    def _held(self, sale_id: str, request_id: str) -> tuple[Hold | None, timedelta]:
        sale = self._store.get(sale_id)
        return self._gate.hold(sale_id, request_id), sale.pay_within if sale else timedelta(0)

    def pay(self, sale_id: str, request_id: str, user_id: str, now: datetime) -> FlashPayment:
        """Go to pay a held order: it becomes a full order and its payment starts on the
        active channel; it is paid only by the provider's callback (or finance)."""
        if self._checkout is None:
            raise PaymentUnavailable("flash sales here take no payments")
        return self._checkout.pay(sale_id, request_id, user_id, now)

    def sweep(self, now: datetime, limit: int = 1000) -> int:
        """One sweep: release every hold unpaid past its sale's time; returns how many.

        Released units are on sale again as soon as the gate has them back.
        """
        released = 0
        if self._checkout is not None:
            self._checkout.settle_paid(now, limit)
        for order in self._store.due(now, limit):
            key = (order.sale_id, order.request_id)
            if order.status == RESERVED:
                if self._checkout is not None and not self._checkout.may_release(order, now):
                    continue  # its full order was paid: settled instead
                if not self._store.move(*key, (RESERVED,), RELEASING, now):
                    continue  # taken by another sweeper meanwhile
            self._gate.release(*key)  # false when an earlier, interrupted sweep already did
            if self._store.move(*key, (RELEASING,), RELEASED, now):
                released += 1
        return released

    def forget_rates(self, before: datetime) -> int:
        """Drop attempt counts older than `before` (the SQL gate's; Redis expires its own)."""
        return self._store.forget_rates(before)

    def restock(self, sale_id: str, qty: int, restock_at: datetime | None = None) -> int:
        """Put `qty` more units on sale (record first, then gate); returns units on sale."""
        if qty < 1:
            raise ValueError("qty: must be at least 1")
        if not self._store.add_stock(sale_id, qty, restock_at):
            raise UnknownSale(sale_id)
        return self._gate.restock(sale_id, qty)

    def on_sale(self, sale_id: str) -> int:
        """Units a buyer can still get now (the gate's count alone)."""
        return self._gate.remaining(sale_id)

    def stock_view(self, sale_id: str) -> StockView:
        return stock_view(self._store, self._gate, sale_id)

    def subscribe(self, sale_id: str, user_id: str, now: datetime) -> StockView:
        """缺货提醒: the buyer is told (in the app) when the sale has stock again."""
        view = self.stock_view(sale_id)
        self._notifications.subscribe(sale_id, user_id, now)
        return view

    def inbox(self, user_id: str) -> list[dict[str, object]]:
        """The buyer's notifications (restock reminders), newest first."""
        return self._notifications.inbox(user_id)

    def watch(self, now: datetime) -> Watch:
        """Raise or clear stock alerts of live sales, and tell subscribers stock is back."""
        return watch(self._store, self._alerts, self._notifications, self._gate, now)

    def reconcile(
        self, sale_id: str, fix: bool = False
    ) -> tuple[Reconciliation, Reconciliation | None]:
        """Compare the gate, the order stream and the record; with `fix`, repair them."""
        stream = self._streams.holds if self._streams is not None else None
        return reconcile(self._store, self._gate, sale_id, stream, fix)

    def order_writer(self, consumer: str, idle_ms: int = 30_000) -> "OrderWriting | None":
        """This process's order writer, named `consumer`; None without order streams."""
        if self._streams is None:
            return None
        return OrderWriting(self._streams.writer(consumer, idle_ms))


class OrderWriting:
    """One process's share of turning the sales' streams into orders."""

    def __init__(self, writer: StreamWriter) -> None:
        self._writer = writer
        self._joined: set[str] = set()

    def write(self, batch: int = 200) -> int:
        """Join any new sale's stream, then write a batch of each; returns entries written."""
        written = 0
        for sale_id in self._writer.sales():
            if sale_id not in self._joined:
                self._writer.join(sale_id)
                self._joined.add(sale_id)
            written += self._writer.run_once(sale_id, batch)
        return written

    def forget_gone(self) -> int:
        """Drop dead writers' consumers (nothing pending, long silent) from the streams."""
        return sum(self._writer.forget_gone(sale_id) for sale_id in self._joined)
