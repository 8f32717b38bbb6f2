"""Clusters kept hot in front of SQL, so a rule reads a customer's cluster size and age
in microseconds (in this process) or two commands (Redis).

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

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from dacu.adapters.redis_connect import FAILURES, Client, run_scripts
from dacu.services.ports.risk_links import Cluster

TTL_SECONDS = 30.0
NEAR_SECONDS = 2.0  # a shared cache's entry served from the process as it is
NEAR_STALE_SECONDS = 30.0  # ... and served while read again behind, up to this old
IDLE_SECONDS = 0.5
THREAD = "dacu-behind-risk-clusters"  # named as every thread working behind the callers
LINGER_SECONDS = 0.2  # the thread behind waits this long to read many clusters at once
BATCH = 200
log = logging.getLogger(__name__)
REDIS_TTL_SECONDS = 3600.0
_LOCAL_MAX = 200_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class ClusterCache(Protocol):
    def get(self, customer_id: str) -> Cluster | None: ...

    def put(self, customer_id: str, cluster: Cluster) -> None:
        """The customer's root and the root's cluster (never shrunk)."""
        ...

    def put_many(self, clusters: dict[str, Cluster]) -> None:
        """`put` of each customer's cluster (one round trip)."""
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

    def put_many(self, clusters: dict[str, Cluster]) -> None:
        for customer_id, cluster in clusters.items():
            self.put(customer_id, cluster)

    def drop_roots(self, roots: list[str]) -> None:
        for root in roots:
            self._clusters.pop(root, None)


_PUT = """
local size = tonumber(redis.call('HGET', KEYS[1], 'size') or '0')
if size <= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'size', ARGV[1], 'first_seen', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
"""


class RedisClusterCache:
    """`{prefix}:risk:root:{customer}` → its root, and a hash per root,
    `{prefix}:risk:cluster:{root}` (size, first_seen in microseconds): shared by every
    process, each key expiring after `ttl_s` seconds (an hour: a merge drops the roots it
    merged away, so an entry is never wrong for want of expiring). A read is two
    commands (the root, then its cluster); a write is one round trip for a batch. Every
    script touches one key, so the keys may live on any node of a Redis Cluster."""

    def __init__(self, client: Client, prefix: str, ttl_s: float = REDIS_TTL_SECONDS) -> None:
        self._client, self._prefix, self._ttl = client, prefix, max(1, int(ttl_s))
        self._put = client.register_script(_PUT)

    def _root(self, customer_id: str) -> str:
        return f"{self._prefix}:risk:root:{customer_id}"

    def _cluster(self, root: str) -> str:
        return f"{self._prefix}:risk:cluster:{root}"

    def get(self, customer_id: str) -> Cluster | None:
        try:
            found: Any = self._client.get(self._root(customer_id))
            if found is None:
                return None
            root = _text(found)
            size, micros = self._client.hmget(self._cluster(root), "size", "first_seen")
        except FAILURES:
            return None
        return _cluster_of(root, size, micros)

    def get_many(self, customer_ids: list[str]) -> dict[str, Cluster | None]:
        """`get` of many in two round trips: their roots, then the roots' clusters."""
        found: dict[str, Cluster | None] = dict.fromkeys(customer_ids)
        try:
            pipe = self._client.pipeline(transaction=False)
            for customer_id in customer_ids:
                pipe.get(self._root(customer_id))
            replies = pipe.execute()
            roots = {c: _text(r) for c, r in zip(customer_ids, replies, strict=True) if r}
            distinct = sorted(set(roots.values()))
            pipe = self._client.pipeline(transaction=False)
            for root in distinct:
                pipe.hmget(self._cluster(root), "size", "first_seen")
            sizes = dict(zip(distinct, pipe.execute(), strict=True))
        except FAILURES:
            return found
        for customer_id, root in roots.items():
            found[customer_id] = _cluster_of(root, *sizes[root])
        return found

    def put(self, customer_id: str, cluster: Cluster) -> None:
        self.put_many({customer_id: cluster})

    def put_many(self, clusters: dict[str, Cluster]) -> None:
        """The roots in one pipeline, the clusters' sizes in another (a script a key,
        loaded again on a Redis that lost it): two round trips for a batch."""
        if not clusters:
            return
        with suppress(*FAILURES):
            pipe = self._client.pipeline(transaction=False)
            for customer_id, cluster in clusters.items():
                pipe.set(self._root(customer_id), cluster.id, ex=self._ttl)
            pipe.execute()
            sizes = [
                ([self._cluster(c.id)], [c.size, (c.first_seen - _EPOCH) // _MICRO, self._ttl])
                for c in {c.id: c for c in clusters.values()}.values()
            ]
            run_scripts(self._client, self._put, sizes)

    def drop_roots(self, roots: list[str]) -> None:
        if not roots:
            return
        with suppress(*FAILURES):
            pipe = self._client.pipeline(transaction=False)
            for root in roots:  # one key a command: any node of a cluster holds it
                pipe.delete(self._cluster(root))
            pipe.execute()


class NearClusterCache:
    """A shared cache (Redis) with the process's own copy in front of it: an entry read
    or written within `fresh_s` is served as it is, an older one up to `stale_s` is
    served while one thread of the process reads it again behind; older, or never
    read, it is read now. The process's own links and merges reach its copy at once
    (a root merged away is dropped, its members read the shared cache again);
    another process's merge reaches it when the entry is next read again — within
    `fresh_s` of a read, `stale_s` at most."""

    def __init__(
        self,
        far: ClusterCache,
        fresh_s: float = NEAR_SECONDS,
        stale_s: float = NEAR_STALE_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._far, self._fresh, self._stale, self._now = far, fresh_s, stale_s, now
        self._roots: dict[str, tuple[float, str]] = {}  # customer → (read at, root)
        self._clusters: dict[str, Cluster] = {}  # root → its cluster
        self._waiting: deque[str] = deque()
        self._queued: set[str] = set()
        self._lock = threading.Lock()
        self._more = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def get(self, customer_id: str) -> Cluster | None:
        root = self._roots.get(customer_id)
        if root is not None and (found := self._clusters.get(root[1])) is not None:
            age = self._now() - root[0]
            if age < self._fresh:
                return found
            if age < self._stale:
                self._behind(customer_id)
                return found
        return self._read(customer_id)

    def _read(self, customer_id: str) -> Cluster | None:
        found = self._far.get(customer_id)
        if found is not None:
            self._keep(customer_id, found)
        return found

    def _keep(self, customer_id: str, cluster: Cluster) -> None:
        if len(self._roots) >= _LOCAL_MAX:
            self._roots.clear()
            self._clusters.clear()
        self._roots[customer_id] = (self._now(), cluster.id)
        kept = self._clusters.get(cluster.id)
        if kept is None or kept.size <= cluster.size:
            self._clusters[cluster.id] = cluster

    def put(self, customer_id: str, cluster: Cluster) -> None:
        self._keep(customer_id, cluster)
        self._far.put(customer_id, cluster)

    def put_many(self, clusters: dict[str, Cluster]) -> None:
        for customer_id, cluster in clusters.items():
            self._keep(customer_id, cluster)
        self._far.put_many(clusters)

    def drop_roots(self, roots: list[str]) -> None:
        for root in roots:
            self._clusters.pop(root, None)
        self._far.drop_roots(roots)

    def _behind(self, customer_id: str) -> None:
        with self._lock:
            if customer_id in self._queued or len(self._waiting) >= _LOCAL_MAX:
                return
            self._queued.add(customer_id)
            self._waiting.append(customer_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=THREAD, daemon=True)
                self._thread.start()
            else:
                self._more.notify()

    def _run(self) -> None:
        while True:
            time.sleep(LINGER_SECONDS)  # stale answers served meanwhile: fewer, larger reads
            with self._lock:
                if not self._waiting:  # a moment's wait for more, then the thread ends
                    self._more.wait(IDLE_SECONDS)
                if not self._waiting:
                    self._thread = None
                    return
                taken = [self._waiting.popleft() for _ in range(min(len(self._waiting), BATCH))]
                self._queued.difference_update(taken)
            try:
                self._read_many(taken)
            except Exception:  # a bug here must not stop the thread
                log.exception("clusters not read again")

    def _read_many(self, customer_ids: list[str]) -> None:
        many = getattr(self._far, "get_many", None)
        if many is None:
            for customer_id in customer_ids:
                self._read(customer_id)
            return
        for customer_id, found in many(customer_ids).items():
            if found is not None:
                self._keep(customer_id, found)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _cluster_of(root: str, size: Any, micros: Any) -> Cluster | None:
    if size is None or micros is None:
        return None
    try:
        return Cluster(root, int(size), _EPOCH + int(micros) * _MICRO)
    except ValueError:
        return None
