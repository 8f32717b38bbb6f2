"""The event stream's part of the composition root: with Redis, storefront batches and
the outbox's events go through the stream and `dacu workers` fold them; without, they
are recorded at once."""

from dataclasses import replace
from typing import TYPE_CHECKING

from dacu.adapters.event_stream import RedisEventStream
from dacu.adapters.gates import redis_client
from dacu.services.kpi_stream import EventFolder, EventIntake

if TYPE_CHECKING:
    from dacu.bootstrap import Platform


def with_events(platform: "Platform", replicas: int = 0) -> "Platform":
    """The platform with its event intake: queued on the stream when Redis is configured
    (each batch confirmed by `replicas` replicas before it is answered)."""
    queue = None
    if platform.redis_url is not None:
        client = redis_client(platform.redis_url)
        queue = RedisEventStream(client, platform.redis_prefix, replicas)
    intake = EventIntake(platform.kpis, platform.campaigns, platform.alerts, queue)
    return replace(platform, events=intake)


def event_folder(platform: "Platform", consumer: str, idle_ms: int = 30_000) -> EventFolder | None:
    """A writer of the stream's consumer group under `consumer`; None without a stream."""
    if platform.events is None or platform.events.queue is None:
        return None
    return EventFolder(
        platform.events.queue,
        platform.kpis,
        platform.campaigns,
        platform.alerts,
        consumer,
        platform.clock,
        idle_ms,
    )
