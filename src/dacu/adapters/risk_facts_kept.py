"""The slower facts of risk rules kept warm in the process: an answer younger than
`fresh_s` is served as it is; an older one, up to `stale_s`, is still served while one
thread of the process reads it again behind (`adapters/behind.py`); past `stale_s`, or
never read, it is read now. `refresh(key)` reads an answer again behind at once, still
serving the kept one meanwhile: the events that change a fact call it, so the answer
is at most one read behind them (tens of milliseconds, the read waiting only on the
ones queued before it). The keys of a kind registered with `many` are read behind together,
one read for the batch.

Reads due by age (and first sights read ahead) linger `DUE_LINGER` before they go, so
that a busy process reads hundreds of keys in one statement rather than a few: the
kept answer is served meanwhile. Reads after a change go within `CHANGED_LINGER`, on a thread
of their own.
"""

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from dacu.adapters.behind import Behind

FRESH_SECONDS = 2.0  # served as it is
STALE_SECONDS = 60.0  # served while read again behind; past it, read now
DUE_LINGER = 0.25  # seconds a read due by age waits for others to go with
CHANGED_LINGER = 0.02  # and a read after a change, for the changes beside it
MOST_READ = 1000  # keys read behind in one batch
MOST_KEPT = 100_000  # answers kept at once; forgotten all together beyond it
Key = tuple[str, ...]
Read = Callable[[Connection], Any]
Many = Callable[[Connection, list[tuple[Key, Read]]], dict[Key, Any]]
"""Reads many keys of one kind at once: each key with how it alone is read → answers."""
T = TypeVar("T")


class KeptFacts:
    def __init__(
        self,
        engine: Engine,
        fresh_s: float = FRESH_SECONDS,
        stale_s: float = STALE_SECONDS,
        now: Callable[[], float] = time.monotonic,
        due_linger: float = DUE_LINGER,
    ) -> None:
        self._engine, self._fresh, self._stale, self._now = engine, fresh_s, stale_s, now
        self._kept: dict[Key, tuple[float, Any]] = {}  # key → (read at, answer)
        self._reads: dict[Key, Read] = {}  # how each key kept is read
        self._queued: dict[Key, Behind[Key]] = {}  # keys waiting to be read, and where
        self._many: dict[str, Many] = {}
        self._lock = threading.Lock()
        self._due: Behind[Key] = Behind(
            engine, self._read_behind, MOST_READ, name="risk-facts", linger=due_linger
        )
        self._changed: Behind[Key] = Behind(
            engine, self._read_behind, MOST_READ, name="risk-facts-changed", linger=CHANGED_LINGER
        )

    def get(self, key: Key, read: Callable[[Connection], T]) -> T:
        """The answer kept under `key`, read now when none is kept or it is too old."""
        found = self._kept.get(key)
        now = self._now()
        if found is not None:
            age = now - found[0]
            if age < self._fresh:
                return found[1]  # type: ignore[no-any-return]
            if age < self._stale:
                self._reads[key] = read
                self._queue(key, self._due)
                return found[1]  # type: ignore[no-any-return]
        with self._engine.connect() as connection:
            value = read(connection)
        self._keep(key, read, value, now)
        return value

    def refresh(self, key: Key) -> None:
        """Read `key` again behind, if it is kept (the kept answer served meanwhile)."""
        if key in self._kept:
            self._queue(key, self._changed)

    def later(self, key: Key, read: Read) -> None:
        """Read `key` behind, kept or not."""
        self._reads[key] = read
        self._queue(key, self._due)

    def ahead(self, key: Key, read: Read) -> None:
        """Read `key` behind when none is kept nor queued (a prefetch)."""
        if key not in self._kept and key not in self._queued:
            self.later(key, read)

    def peek(self, key: Key) -> Any:
        """The answer kept under `key` however old, None when none is."""
        found = self._kept.get(key)
        return None if found is None else found[1]

    def put(self, key: Key, read: Callable[[Connection], T], value: T) -> None:
        self._keep(key, read, value, self._now())

    def flush(self) -> None:
        """Every read queued behind done now (tests, shutdown)."""
        self._changed.flush()
        self._due.flush()

    def _keep(self, key: Key, read: Read, value: Any, at: float) -> None:
        if len(self._kept) >= MOST_KEPT and key not in self._kept:
            self._kept.clear()
            self._reads.clear()
        self._kept[key] = (at, value)
        self._reads[key] = read

    def _queue(self, key: Key, behind: Behind[Key]) -> None:
        """Queue `key` on `behind` unless it waits already on it or on the prompt queue (a
        change does not wait behind a lingering read)."""
        with self._lock:
            queued = self._queued.get(key)
            if queued is behind or queued is self._changed:
                return
            self._queued[key] = behind
        behind.put(key)

    def many(self, kind: str, read: Many) -> None:
        """How the keys of `kind` (their first part) read behind are read many at once."""
        self._many[kind] = read

    def _read_behind(self, keys: Sequence[Key]) -> None:
        together: dict[str, list[Key]] = {}
        alone = []
        for key in keys:
            if key[0] in self._many:
                together.setdefault(key[0], []).append(key)
            else:
                alone.append(key)
        with self._engine.connect() as connection:
            for kind, kept in together.items():
                with self._lock:
                    for key in kept:
                        self._queued.pop(key, None)
                started = self._now()
                asked = [(key, read) for key in kept if (read := self._reads.get(key)) is not None]
                found = self._many[kind](connection, asked)
                for key, read in asked:
                    if key in found:
                        self._keep(key, read, found[key], started)
            for key in alone:
                with self._lock:
                    self._queued.pop(key, None)
                read = self._reads.get(key)
                if read is not None:
                    started = self._now()
                    self._keep(key, read, read(connection), started)
