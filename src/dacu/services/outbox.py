"""Delivery of the server's facts from the outbox to the KPI rollups.

A worker leases a batch of facts, turns each into the events of the campaigns
it counts for, takes them in as a storefront's batch is taken in (the same
checks and alerts; with an event stream, appended to it for its writers to
fold), and marks the facts delivered. An event's id is derived
from its fact and campaign, so a batch delivered twice — two workers, or one
that died before marking — counts once.

Which campaigns a fact counts for: a claim, its coupon's campaign; anything
else, every campaign (not a draft) whose span holds the moment the order was
placed (or, for a registration, the moment itself). The channel and the
segment are how the storefront first saw the person in that campaign; someone
it never saw counts in the app, as new when they registered in this batch and
as returning otherwise.
"""

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from dacu.domain.campaigns import Campaign, CampaignStatus
from dacu.domain.errors import InvalidRule
from dacu.domain.events import Channel, Event, EventKind, Segment, Span
from dacu.domain.facts import Fact
from dacu.services import kpis
from dacu.services.kpis import KpiStore
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.campaigns import CampaignRecord
from dacu.services.ports.event_queue import EventQueue
from dacu.services.ports.outbox import OutboxFeed

log = logging.getLogger(__name__)

BATCH = 500
# A dead process's batch waits this long for another. Delivering one takes well under a
# second; a lease that runs out mid-delivery costs only work (its events count once).
LEASE = timedelta(seconds=30)
EVERY = 1.0  # seconds between looks at the outbox when it was found empty


class CampaignDirectory(Protocol):
    def list(self) -> list[CampaignRecord]: ...

    def campaign(self, campaign_id: str) -> Campaign: ...


class Acquaintances(Protocol):
    def seen_as(
        self, campaign_id: str, customer_ids: Sequence[str]
    ) -> dict[str, tuple[Channel, Segment]]:
        """The channel and segment of each person's first counted event in the campaign."""
        ...


class Feed(OutboxFeed, Acquaintances, Protocol):
    """The outbox's facts, and how the storefront saw their people."""


class FactListener(Protocol):
    """Something else the server's facts drive (coins for yuan paid, a shop's rebate on a
    paid first order …). It is handed each leased batch before the batch is marked
    delivered, so a failure leaves the batch to be delivered again: it must do each
    deed once per fact key however often it sees the fact."""

    def take(self, facts: Sequence[Fact], now: datetime) -> None: ...


class OutboxDelivery:
    def __init__(
        self,
        feed: Feed,
        store: KpiStore,
        campaigns: CampaignDirectory,
        alerts: Alerts,
        batch: int = BATCH,
        lease: timedelta = LEASE,
        listeners: Sequence[FactListener] = (),
        queue: EventQueue | None = None,
    ) -> None:
        self._feed, self._store, self._people, self._queue = feed, store, feed, queue
        self._listeners = tuple(listeners)
        self._campaigns, self._alerts = campaigns, alerts
        self._batch, self._lease = batch, lease
        self._known: dict[str, tuple[object, Campaign, Span | None]] = {}

    def deliver(self, now: datetime, rounds: int = 1000) -> int:
        """Deliver batches until none is left (or `rounds` is reached); returns facts delivered."""
        done = 0
        for _ in range(rounds):
            delivered = self.deliver_batch(now)
            if not delivered:
                break
            done += delivered
        return done

    def deliver_batch(self, now: datetime) -> int:
        """Lease one batch, take its events in, mark it delivered; returns how many facts."""
        leased = self._feed.claim(self._batch, now, self._lease)
        if not leased:
            return 0
        events = self.events([fact for _, fact in leased])
        if events and self._queue is not None:
            self._queue.append(events, now)  # folded by the stream's writers
        elif events:
            kpis.ingest(self._store, self, self._alerts, events, now)
        facts = [fact for _, fact in leased]
        for listener in self._listeners:
            listener.take(facts, now)
        self._feed.delivered([row_id for row_id, _ in leased], now)
        return len(leased)

    def pending(self) -> int:
        return self._feed.pending()

    def campaign(self, campaign_id: str) -> Campaign:
        """The campaign as last loaded (kpis.ingest's port)."""
        found = self._known.get(campaign_id)
        if found is None:
            self._refresh()
            found = self._known.get(campaign_id)
        if found is None:
            raise LookupError(campaign_id)
        return found[1]

    def events(self, facts: Sequence[Fact]) -> list[Event]:
        """Each fact as the events of the campaigns it counts for."""
        self._refresh()
        found: list[Event] = []
        placed: dict[str, list[Fact]] = {}
        for fact in facts:
            for campaign_id in self._counted_in(fact):
                placed.setdefault(campaign_id, []).append(fact)
        for campaign_id, counted in placed.items():
            span = self._known[campaign_id][2]
            who = self._people.seen_as(campaign_id, [fact.customer_id for fact in counted])
            for fact in counted:
                if fact.kind is EventKind.REGISTRATION:
                    who.setdefault(fact.customer_id, (Channel.APP, Segment.NEW))
            for fact in counted:
                channel, segment = who.get(fact.customer_id, (Channel.APP, Segment.RETURNING))
                event = fact.event(campaign_id, channel, segment)
                if span is not None and _within(span, event):
                    found.append(event)
        return found

    def _counted_in(self, fact: Fact) -> list[str]:
        if fact.campaign_id is not None:
            return [fact.campaign_id] if fact.campaign_id in self._known else []
        return [
            campaign_id
            for campaign_id, (_, campaign, span) in sorted(self._known.items())
            if span is not None
            and campaign.status is not CampaignStatus.DRAFT
            and span.starts_at <= fact.counted_at <= span.ends_at
        ]

    def _refresh(self) -> None:
        """Load the campaigns that changed since last asked."""
        for record in self._campaigns.list():
            stamp = (record.revision, record.version, record.status)
            known = self._known.get(record.id)
            if known is not None and known[0] == stamp:
                continue
            campaign = self._campaigns.campaign(record.id)
            try:
                span: Span | None = kpis.span_of(campaign)
            except InvalidRule:  # no phase with a start and an end: nothing counts for it
                span = None
            self._known[record.id] = (stamp, campaign, span)


def _within(span: Span, event: Event) -> bool:
    try:
        span.check(event)
    except InvalidRule:
        return False
    return True


class DeliveringBehind:
    """A delivery following the outbox from a thread of its own, so the dashboard keeps up
    in every API process whether or not `dacu workers` run. Failures are logged and
    retried; several processes share the outbox through its leases."""

    def __init__(
        self, delivery: OutboxDelivery, clock: Callable[[], datetime], every: float = EVERY
    ) -> None:
        self._delivery, self._clock, self._every = delivery, clock, every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)

    def start(self) -> "DeliveringBehind":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                delivered = self._delivery.deliver_batch(self._clock())
            except Exception:  # the database away or a fact it cannot take: retried later
                log.exception("outbox delivery failed; retrying")
                delivered = 0
            if not delivered:
                self._stopping.wait(self._every)
