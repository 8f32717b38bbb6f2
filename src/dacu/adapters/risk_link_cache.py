"""Clusters kept hot in front of SQL, so a rule reads a customer's cluster size and age
in microseconds (in this process) or one round trip (Redis).

Two entries make a cached cluster: the customer's root, and the root's size and first
sighting. A link that merges clusters rewrites the surviving root's entry and drops
the entries of the roots merged into it, so every member of the merged clusters reads
the new size at once through a shared cache (Redis); a member whose root was dropped
reads SQL again. A root's size only grows, so an entry is never replaced by a
smaller one (two merges racing leave the larger). A process-local cache (without
Redis) hears only of its own links: a merge made by another process reaches it after
at most `ttl_s` seconds (30 by default). Rules that need the exact cluster at the
moment of a link read the `Cluster` that `link()` returns, which is always fresh.
A Redis that fails is skipped: the read falls through to SQL.
"""

import time
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Protocol

from dacu.adapters.redis_connect import FAILURES, Client
from dacu.services.ports.risk_links import Cluster

TTL_SECONDS = 30.0
_LOCAL_MAX = 200_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class ClusterCache(Protocol):
    def get(self, customer_id: str) -> Cluster | None: ...

    def put(self, customer_id: str, cluster: Cluster) -> None:
        """The customer's root and the root's cluster (never shrunk)."""
        ...

    def drop_roots(self, roots: list[str]) -> None:
        """Roots merged away: their members read SQL again."""
        ...


class LocalClusterCache:
    """This process's clusters, each entry kept `ttl_s` seconds."""

    def __init__(
        self, ttl_s: float = TTL_SECONDS, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl, self._now = ttl_s, now
        self._roots: dict[str, tuple[float, str]] = {}
        self._clusters: dict[str, tuple[float, Cluster]] = {}

    def get(self, customer_id: str) -> Cluster | None:
        now = self._now()
        root = self._roots.get(customer_id)
        if root is None or root[0] <= now:
            return None
        found = self._clusters.get(root[1])
        return found[1] if found is not None and found[0] > now else None

    def put(self, customer_id: str, cluster: Cluster) -> None:
        if len(self._roots) >= _LOCAL_MAX:
            self._roots.clear()
            self._clusters.clear()
        until = self._now() + self._ttl
        self._roots[customer_id] = (until, cluster.id)
        kept = self._clusters.get(cluster.id)
        if kept is None or kept[0] <= until - self._ttl or kept[1].size <= cluster.size:
            self._clusters[cluster.id] = (until, cluster)

    def drop_roots(self, roots: list[str]) -> None:
        for root in roots:
            self._clusters.pop(root, None)


_GET = """
local root = redis.call('GET', KEYS[1])
if not root then return false end
local found = redis.call('HMGET', ARGV[1] .. root, 'size', 'first_seen')
if not found[1] then return false end
return {root, found[1], found[2]}
"""

_PUT = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
local size = tonumber(redis.call('HGET', KEYS[2], 'size') or '0')
if size <= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[2], 'size', ARGV[2], 'first_seen', ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
"""


class RedisClusterCache:
    """`<tag>:root:<customer>` → its root, and a hash per root, `<tag>:cluster:<root>`
    (size, first_seen in microseconds): shared by every process, each key expiring after
    `ttl_s` seconds. One round trip a read. The read's second key is known only once the
    first is read, so every key shares one hash tag, `{<prefix>:risk-links}`: one slot
    on a Redis Cluster."""

    def __init__(self, client: Client, prefix: str, ttl_s: float = TTL_SECONDS) -> None:
        self._client, self._ttl = client, max(1, int(ttl_s))
        self._prefix = f"{{{prefix}:risk-links}}"
        self._get = client.register_script(_GET)
        self._put = client.register_script(_PUT)

    def get(self, customer_id: str) -> Cluster | None:
        try:
            found = self._get([f"{self._prefix}:root:{customer_id}"], [self._clusters])
        except FAILURES:
            return None
        if not found:
            return None
        root, size, micros = (part.decode() for part in found)
        try:
            return Cluster(root, int(size), _EPOCH + int(micros) * _MICRO)
        except ValueError:
            return None

    @property
    def _clusters(self) -> str:
        return f"{self._prefix}:cluster:"

    def put(self, customer_id: str, cluster: Cluster) -> None:
        micros = (cluster.first_seen - _EPOCH) // _MICRO
        keys = [f"{self._prefix}:root:{customer_id}", self._clusters + cluster.id]
        with suppress(*FAILURES):
            self._put(keys, [cluster.id, cluster.size, micros, self._ttl])

    def drop_roots(self, roots: list[str]) -> None:
        if roots:
            with suppress(*FAILURES):
                self._client.delete(*(self._clusters + root for root in roots))
