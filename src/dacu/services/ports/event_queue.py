"""The event stream: batches kept durably first, folded into the rollups by writers later.

`EventQueue.append` returns once the batch is kept as durably as the stream is
configured to keep it; a consumer group of writers `take`s batches (a dead
writer's, idle long enough, before new ones) and marks them `done` once
folded. A batch taken twice — its writer died before marking it — is folded
again, and the rollups count each event id once, so every event counts once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.events import Event


@dataclass(frozen=True, slots=True)
class QueuedBatch:
    entry: str  # the stream's id for the batch
    events: list[Event]
    received_at: datetime


@dataclass(frozen=True, slots=True)
class QueueLag:
    """How far the writers are behind: batches not yet folded (taken or not), those taken
    by a writer and not marked done, and how long the oldest has waited."""

    batches: int
    events: int
    pending: int
    oldest_age_ms: int
    writers: int


class EventQueue(Protocol):
    def append(self, events: Sequence[Event], received_at: datetime, sent: bytes = b"") -> str:
        """Keep a checked batch (`sent`: the body it came in, stored as is when given);
        raises EventsUnavailable when it could not be kept durably."""

    def append_sent(self, count: int, received_at: datetime, sent: bytes) -> str:
        """Keep a checked storefront body of `count` events as it came, without reading
        it again; raises EventsUnavailable when it could not be kept durably."""
        ...

    def take(self, consumer: str, count: int, idle_ms: int) -> list[QueuedBatch]:
        """Up to `count` batches for `consumer`: those another left pending `idle_ms` first."""
        ...

    def done(self, batches: Sequence[QueuedBatch]) -> None:
        """These batches are folded: never handed out again."""
        ...

    def lag(self, now: datetime) -> QueueLag: ...
