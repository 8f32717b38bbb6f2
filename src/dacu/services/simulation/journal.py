"""The run's storefront events: ids fixed by the plan, sent to the KPI service in batches,
each batch followed by the delivery of what the server wrote in its outbox meanwhile.

An event's id is its step's key and its place in the step (`sim11-c000042-v2:3`),
so a run repeated on the same database sends the same ids again, and the KPI
store counts each once. The server's deeds are idempotent, so a repeated run
writes no new facts.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dacu.domain.events import STOREFRONT_KINDS, Event, EventKind
from dacu.services import kpis
from dacu.services.kpis import Campaigns, Ingested, KpiStore
from dacu.services.outbox import OutboxDelivery
from dacu.services.ports.alerts import Alerts
from dacu.services.simulation.plan import Shopper


class Ingest:
    """Batches taken in by the KPI service, as the events API takes them; then the
    outbox delivered, as the workers deliver it."""

    def __init__(
        self, store: KpiStore, campaigns: Campaigns, alerts: Alerts, outbox: OutboxDelivery
    ) -> None:
        self._store, self._campaigns, self._alerts = store, campaigns, alerts
        self._outbox = outbox
        self._accepted = self._duplicates = 0
        self.facts = 0  # the server's facts delivered

    def send(self, batch: Sequence[Event], now: datetime) -> None:
        done = kpis.ingest_storefront(self._store, self._campaigns, self._alerts, batch, now)
        self._accepted += done.accepted
        self._duplicates += done.duplicates
        self.deliver(now)

    def deliver(self, now: datetime) -> None:
        self.facts += self._outbox.deliver(now)

    def close(self) -> Ingested:
        return Ingested(self._accepted, self._duplicates)


class Journal:
    def __init__(
        self, ingest: Ingest, campaign_id: str, batch_size: int, ends_at: datetime | None = None
    ) -> None:
        self._ingest = ingest
        self.campaign_id = campaign_id
        self.ends_at = ends_at  # the storefront closes: clicks after it go nowhere
        self.batch_size = batch_size
        self.pending: list[Event] = []
        self.sent = 0

    def step(self, key: str, shopper: Shopper) -> "Trail":
        return Trail(self, key, shopper)

    @property
    def full(self) -> bool:
        return len(self.pending) >= self.batch_size

    def send(self, now: datetime) -> None:
        for start in range(0, len(self.pending), self.batch_size):
            batch = self.pending[start : start + self.batch_size]
            self._ingest.send(batch, now)
            self.sent += len(batch)
        self.pending = []

    def close(self, now: datetime) -> Ingested:
        self.send(now)
        self._ingest.deliver(now)
        return self._ingest.close()


class Trail:
    """The events of one step of one shopper, numbered in order."""

    def __init__(self, journal: Journal, key: str, shopper: Shopper) -> None:
        self._journal, self._key, self._shopper = journal, key, shopper
        self._count = 0

    @property
    def first_id(self) -> str:
        return f"{self._key}:1"

    def add(self, kind: EventKind, at: datetime, **fields: Any) -> None:
        self._count += 1
        ends_at = self._journal.ends_at
        if ends_at is not None and at > ends_at and kind in STOREFRONT_KINDS:
            return  # a visit that began just before the end: its later clicks find it over
        self._journal.pending.append(
            Event(
                id=f"{self._key}:{self._count}",
                kind=kind,
                campaign_id=self._journal.campaign_id,
                customer_id=self._shopper.id,
                channel=self._shopper.channel,
                segment=self._shopper.segment,
                at=at,
                **fields,
            )
        )
