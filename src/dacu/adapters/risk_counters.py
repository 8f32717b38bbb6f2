"""Sliding-window counters of risk control (`RiskCounters`), exact to the millisecond:
a count at `at` over `window_s` holds every hit at a time t with at - window_s < t ≤ at.

`LocalRiskCounters` keeps them in the process: SQLite's (one process, and a write of
its own would wait on the caller's open transaction).

`SqlRiskCounters` keeps one row per hit and prunes a key's rows past its window as it
counts. `RedisRiskCounters` keeps one sorted set per key (score: the hit's time in ms),
pruned and given an expiry of its window by the same Lua script that adds and counts,
one key a script; `hit_many` counts every key of a check in one round trip.
"""

import itertools
import os
import threading
import uuid
from collections import defaultdict, deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.cluster import RedisCluster
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select

from dacu.adapters.redis_connect import Client, ScriptCall, run_calls, run_one
from dacu.adapters.risk_shared import SEEN_FN
from dacu.adapters.tables.risk_rules import risk_counter_hits

Hit = tuple[str, int, int]  # key, window in seconds, n


class LocalRiskCounters:
    def __init__(self) -> None:
        self._hits: dict[str, deque[tuple[datetime, int]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, window_s: int, at: datetime, n: int = 1) -> int:
        return self.hit_many([(key, window_s, n)], at)[0]

    def hit_many(self, hits: Sequence[Hit], at: datetime) -> list[int]:
        found = []
        with self._lock:
            for key, window_s, n in hits:
                since = at - timedelta(seconds=window_s)
                kept = self._hits[key]
                while kept and kept[0][0] <= since:
                    kept.popleft()
                if n > 0:
                    kept.append((at, n))
                found.append(sum(k for t, k in kept if since < t <= at))
                if not kept:
                    del self._hits[key]
        return found

    def count(self, key: str, window_s: int, at: datetime) -> int:
        since = at - timedelta(seconds=window_s)
        with self._lock:
            return sum(n for t, n in self._hits.get(key, ()) if since < t <= at)


class SqlRiskCounters:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def hit(self, key: str, window_s: int, at: datetime, n: int = 1) -> int:
        return self.hit_many([(key, window_s, n)], at)[0]

    def hit_many(self, hits: Sequence[Hit], at: datetime) -> list[int]:
        table, found = risk_counter_hits, []
        with self._engine.begin() as connection:
            for key, window_s, n in hits:
                since = at - timedelta(seconds=window_s)
                connection.execute(
                    delete(table).where(and_(table.c.key == key, table.c.at <= since))
                )
                if n > 0:
                    connection.execute(insert(table).values(key=key, at=at, n=n))
                found.append(_sum(connection, key, since, at))
        return found

    def count(self, key: str, window_s: int, at: datetime) -> int:
        with self._engine.connect() as connection:
            return _sum(connection, key, at - timedelta(seconds=window_s), at)


def _sum(connection: Connection, key: str, since: datetime, at: datetime) -> int:
    table = risk_counter_hits
    query = select(func.coalesce(func.sum(table.c.n), 0)).where(
        table.c.key == key, table.c.at > since, table.c.at <= at
    )
    return int(connection.execute(query).scalar() or 0)


HIT_FN = """
local function hit(key, now, tag, window, n)
  local since = now - window
  redis.call('ZREMRANGEBYSCORE', key, '-inf', since)
  for j = 1, n do
    redis.call('ZADD', key, now, tag .. ':' .. j)
  end
  local found = redis.call('ZCOUNT', key, '(' .. since, now)
  redis.call('PEXPIRE', key, window + 1000)
  return found
end
"""
"""Counts `n` hits at `now` (ms) under `key` and answers its count over `window` ms: the
counters' script, and the flash gate's checked attempt (`adapters/redis_scripts.py`)."""
HIT = (
    HIT_FN
    + """
return hit(KEYS[1], tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
"""
)

CHECK = (
    HIT_FN
    + SEEN_FN
    + """
local now, tag, nv = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local account, ttl, most = ARGV[4], ARGV[5], ARGV[6]
local counts, shared = {}, {}
for i = 1, nv do
  counts[i] = hit(KEYS[i], now, tag, tonumber(ARGV[5 + 2 * i]), tonumber(ARGV[6 + 2 * i]))
end
for j = nv + 1, #KEYS do
  shared[j - nv] = {seen(KEYS[j], account, ttl, most)}
end
return {counts, shared}
"""
)
"""A check's windows and the accounts behind its identifiers in one script (one server)."""

MAX_N = 1000  # hits one call may add under one key
_PROCESS = uuid.uuid4().hex[:12]  # a hit's member: this process's token and a sequence number
_NUMBERS = itertools.count()


def _renew() -> None:
    """A forked process's own token: its hits never take its parent's members."""
    global _PROCESS
    _PROCESS = uuid.uuid4().hex[:12]


os.register_at_fork(after_in_child=_renew)


class RedisRiskCounters:
    def __init__(self, client: Client, prefix: str = "dacu") -> None:
        self._client, self._prefix = client, prefix
        self._hit = client.register_script(HIT)
        self._check = client.register_script(CHECK)

    def _key(self, key: str) -> str:
        return f"{self._prefix}:risk:n:{key}"

    @property
    def one_server(self) -> bool:
        """Whether a script on another key of the same server may count the counters (a
        single node, not a Redis Cluster)."""
        return not isinstance(self._client, RedisCluster)

    def key_of(self, key: str) -> str:
        """The Redis key a counter lives under."""
        return self._key(key)

    @staticmethod
    def tag() -> str:
        """A check's own member prefix for the hits it adds."""
        return f"{_PROCESS}{next(_NUMBERS):x}"

    def hit(self, key: str, window_s: int, at: datetime, n: int = 1) -> int:
        return self.hit_many([(key, window_s, n)], at)[0]

    def hit_many(self, hits: Sequence[Hit], at: datetime) -> list[int]:
        """Every key counted in one round trip: a pipeline of one script a key, so each
        key may live on any node of a Redis Cluster."""
        return self.hit_many_with(hits, at, [])[0]

    def hit_many_with(
        self, hits: Sequence[Hit], at: datetime, also: list[ScriptCall]
    ) -> tuple[list[int], list[Any]]:
        """`hit_many`, and the other script calls `also` in the same round trip: the
        counts, and their replies (an error in place of a call that failed)."""
        if not hits and not also:
            return [], []
        now, tag = _ms(at), self.tag()
        calls: list[ScriptCall] = [
            (self._hit, [self._key(key)], [now, tag, window_s * 1000, max(0, min(n, MAX_N))])
            for key, window_s, n in hits
        ]
        found = run_calls(self._client, calls + also)  # a Redis restarted: reloaded
        counted = found[: len(calls)]
        for reply in counted:
            if isinstance(reply, Exception):
                raise reply
        return [int(reply) for reply in counted], found[len(calls) :]

    def hit_many_seen(
        self, hits: Sequence[Hit], at: datetime, seen: list[ScriptCall]
    ) -> tuple[list[int], list[Any]]:
        """`hit_many_with` for the identifiers' calls of one account
        (`adapters/risk_shared.py`): on one server, one script does them all."""
        if isinstance(self._client, RedisCluster) or not seen:
            return self.hit_many_with(hits, at, seen)
        account, ttl, most = seen[0][2]
        args: list[Any] = [_ms(at), self.tag(), len(hits), account, ttl, most]
        for _, window_s, n in hits:
            args += [window_s * 1000, max(0, min(n, MAX_N))]
        keys = [self._key(key) for key, _, _ in hits] + [call[1][0] for call in seen]
        counts, shared = run_one(self._client, self._check, keys, args)  # a plain EVALSHA
        return [int(n) for n in counts], list(shared)

    def count(self, key: str, window_s: int, at: datetime) -> int:
        now = _ms(at)
        since = now - window_s * 1000
        return int(self._client.zcount(self._key(key), f"({since}", now))


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ms(at: datetime) -> int:
    return (at - EPOCH) // timedelta(milliseconds=1)
