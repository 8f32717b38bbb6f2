"""The event stream on Redis: batches appended durably, folded by a consumer group.

One stream, `<prefix>:{events}:stream`, beside a counter of the events it
holds (`…:queued`): both keys share the hash tag `{events}`, so the scripts
run on a Redis Cluster as on one node. Each entry is one batch — a
storefront's body as sent, or the server's own events — with its count and
when it was received.

Durable means: XADD returned, so the batch is in the primary's memory and
its append-only file (fsynced before the reply with `appendfsync always`,
within a second with `everysec`); with `replicas` > 0 the answer also waits
(WAIT) until that many replicas hold it, and a batch they do not confirm in
`wait_ms` is refused (EventsUnavailable), so the sender sends it again — its
event ids make that harmless.

Writers take entries through the consumer group `kpi-writers` (a dead
writer's pending entries first, with XAUTOCLAIM), fold them, then `done`
acknowledges and deletes each entry and takes its count off the counter in one
script, once however many writers finish the same entry.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError, ResponseError

from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_scripts import as_text
from dacu.adapters.redis_streams import join_group, next_entries
from dacu.domain.events import Event, EventsUnavailable
from dacu.schemas import events_fast
from dacu.schemas.events import QueuedEvents
from dacu.services.ports.event_queue import QueuedBatch, QueueLag

GROUP = "kpi-writers"

_APPEND = """
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[1], 'n', ARGV[2], 't', ARGV[3])
redis.call('INCRBY', KEYS[2], tonumber(ARGV[2]))
return id
"""

_DONE = """
local folded = 0
for i = 2, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    redis.call('DECRBY', KEYS[2], tonumber(ARGV[i + 1]))
    folded = folded + 1
  end
end
return folded
"""


class RedisEventStream:
    def __init__(
        self, client: Client, prefix: str = "dacu", replicas: int = 0, wait_ms: int = 1000
    ) -> None:
        self._client, self._replicas, self._wait_ms = client, replicas, wait_ms
        self.stream, self.queued = f"{prefix}:{{events}}:stream", f"{prefix}:{{events}}:queued"
        self._append = client.register_script(_APPEND)
        self._done = client.register_script(_DONE)
        self._joined = False

    def append(self, events: Sequence[Event], received_at: datetime, sent: bytes = b"") -> str:
        return self.append_sent(len(events), received_at, sent or QueuedEvents.encode(events))

    def append_sent(self, count: int, received_at: datetime, sent: bytes) -> str:
        at = str(int(received_at.timestamp() * 1000))
        try:
            entry = self._append(keys=[self.stream, self.queued], args=[sent, count, at])
            if self._replicas:
                held = int(self._client.wait(self._replicas, self._wait_ms))
                if held < self._replicas:
                    raise EventsUnavailable(
                        f"{held} of {self._replicas} replicas confirmed the batch; send it again"
                    )
        except RedisError as error:
            raise EventsUnavailable(f"the event stream is away ({error}); send it again") from None
        return as_text(entry)

    def take(self, consumer: str, count: int, idle_ms: int) -> list[QueuedBatch]:
        if not self._joined:
            join_group(self._client, self.stream, GROUP)
            self._joined = True
        entries = next_entries(self._client, self.stream, GROUP, consumer, idle_ms, count)
        return [
            QueuedBatch(
                as_text(entry),
                events_fast.decode(fields[b"e"]),  # validated when it was appended
                datetime.fromtimestamp(int(fields[b"t"]) / 1000, tz=UTC),
            )
            for entry, fields in entries
        ]

    def done(self, batches: Sequence[QueuedBatch]) -> None:
        if batches:
            args: list[Any] = [GROUP]
            for batch in batches:
                args += [batch.entry, len(batch.events)]
            self._done(keys=[self.stream, self.queued], args=args)

    def lag(self, now: datetime) -> QueueLag:
        try:
            groups: Any = self._client.xinfo_groups(self.stream)
        except ResponseError:  # no stream yet: nothing was ever sent
            return QueueLag(0, 0, 0, 0, 0)
        pipe = self._client.pipeline(transaction=False)
        pipe.xlen(self.stream)
        pipe.get(self.queued)
        pipe.xrange(self.stream, "-", "+", count=1)
        length, queued, oldest = pipe.execute()
        group = next((g for g in groups if as_text(g["name"]) == GROUP), None)
        age = 0
        if oldest:
            first_ms = int(as_text(oldest[0][0]).split("-")[0])
            age = max(0, int(now.timestamp() * 1000) - first_ms)
        return QueueLag(
            batches=int(length),
            events=int(queued or 0),
            pending=int(group["pending"]) if group else 0,
            oldest_age_ms=age,
            writers=int(group["consumers"]) if group else 0,
        )
