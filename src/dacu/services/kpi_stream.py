"""Events through the stream: taken in fast and durably, folded into the rollups behind.

With an event queue, a storefront's batch is checked (kinds, campaigns,
spans), appended to the stream and answered 202 once it is durable; the
outbox appends the server's own events the same way. Writers — a consumer
group, one per `dacu workers` process — fold what the stream holds into the
rollups: each event id counts once (the store keeps ids), so a batch folded
twice, because its writer died before marking it done, adds nothing the
second time. Without a queue, batches are recorded at once, as before.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.campaigns import Campaign
from dacu.domain.errors import InvalidRule
from dacu.domain.events import STOREFRONT_KINDS, Event, Sent, storefront_fault
from dacu.services import kpis
from dacu.services.kpis import Campaigns, KpiStore
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.event_queue import EventQueue, QueueLag

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Taken:
    accepted: int
    duplicates: int | None  # None: queued, so not known yet
    entry: str | None = None  # the stream's id for the batch, when queued


class RecentCampaigns:
    """Campaigns as loaded within the last `fresh_for` seconds: the hot path checks every
    batch against its campaigns without a database read each time."""

    def __init__(
        self,
        campaigns: Campaigns,
        fresh_for: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._campaigns, self._fresh_for, self._monotonic = campaigns, fresh_for, monotonic
        self._known: dict[str, tuple[float, Campaign]] = {}

    def campaign(self, campaign_id: str) -> Campaign:
        found = self._known.get(campaign_id)
        now = self._monotonic()
        if found is None or now - found[0] > self._fresh_for:
            found = (now, self._campaigns.campaign(campaign_id))
            self._known[campaign_id] = found
        return found[1]


class EventIntake:
    def __init__(
        self, store: KpiStore, campaigns: Campaigns, alerts: Alerts, queue: EventQueue | None
    ) -> None:
        self._store, self._alerts, self._queue = store, alerts, queue
        self._campaigns, self._recent = campaigns, RecentCampaigns(campaigns)

    @property
    def queue(self) -> EventQueue | None:
        return self._queue

    def take_storefront(
        self, batch: Sequence[Sent], now: datetime, sent: bytes, built: Callable[[], list[Event]]
    ) -> Taken:
        """Check a storefront's batch (`batch`: as read from `sent`, its body), then queue the
        body as is or, with no stream, record the events `built` from it; raises InvalidRule
        naming the first field at fault. Queued, the events are checked where they are and
        built only by the writers that fold them."""
        if self._queue is None or any(e.kind not in STOREFRONT_KINDS for e in batch):
            events = built()  # refuses what an `Event` refuses, field by field
            kpis.storefront_only(events)
            if self._queue is None:
                done = kpis.ingest(self._store, self._campaigns, self._alerts, events, now)
                return Taken(done.accepted, done.duplicates)
        for i, event in enumerate(batch):
            if (fault := storefront_fault(event)) is not None:
                raise fault.within(f"events[{i}]")
        kpis.checked(self._recent, batch)
        queue = self._queue
        assert queue is not None  # without one, the batch was recorded above
        return Taken(len(batch), None, queue.append_sent(len(batch), now, sent))

    def lag(self, now: datetime) -> QueueLag | None:
        """How far the writers are behind the stream; None without one."""
        return None if self._queue is None else self._queue.lag(now)


class EventFolder:
    """One writer of the consumer group: folds what the stream holds into the rollups."""

    def __init__(
        self,
        queue: EventQueue,
        store: KpiStore,
        campaigns: Campaigns,
        alerts: Alerts,
        consumer: str,
        clock: Callable[[], datetime],
        idle_ms: int = 30_000,
    ) -> None:
        self._queue, self._store, self._alerts = queue, store, alerts
        self._campaigns = RecentCampaigns(campaigns)
        self._consumer, self._clock, self._idle_ms = consumer, clock, idle_ms

    def run_once(self, count: int = 10) -> int:
        """Fold up to `count` batches (a dead writer's first) in one transaction and mark
        them done; returns the events folded."""
        batches = self._queue.take(self._consumer, count, self._idle_ms)
        if not batches:
            return 0
        events = [event for batch in batches for event in batch.events]
        known, kept = self._still_valid(events)
        if kept:
            kpis.record(self._store, self._alerts, known, kept, self._clock())
        self._queue.done(batches)
        return len(events)

    def drain(self, rounds: int = 100_000) -> int:
        done = 0
        for _ in range(rounds):
            found = self.run_once()
            if not found:
                break
            done += found
        return done

    def _still_valid(self, events: list[Event]) -> tuple[dict[str, Campaign], list[Event]]:
        """Events were checked when taken in; one whose campaign has gone since is left out
        (logged), never left to block the stream."""
        try:
            return kpis.checked(self._campaigns, events), events
        except InvalidRule:
            pass
        known: dict[str, Campaign] = {}
        kept = []
        for event in events:
            try:
                known.update(kpis.checked(self._campaigns, [event]))
                kept.append(event)
            except InvalidRule as error:
                log.warning("event %s left out of the rollups: %s", event.id, error)
        return known, kept
