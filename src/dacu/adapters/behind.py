"""Writes a process does behind its callers: one thread of its own takes what waits, in
the order it was given, a batch at a time — the caller never waits on the database.

The thread starts when something waits and ends when nothing did for half a second.
`flush` writes what waits now; `settled` waits (a bounded time) for one item's batch.
When the engine is disposed (shutdown, a test's end), the batch in flight finishes, the
connection it held is closed with the pool it came from, and the thread stops; what
still waits is written if anything is put after (`Platform.close` flushes before it disposes).
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)
T = TypeVar("T")
BEHIND = "dacu-behind"  # the name every such thread's starts with
MAX_WAITING = 100_000  # past this, the oldest waiting items are dropped (and logged)
IDLE_SECONDS = 0.5  # the thread waits this long for more before it ends


class Behind(Generic[T]):
    """Items written by `write` in batches of at most `most`, on one thread."""

    def __init__(
        self,
        engine: Engine,
        write: Callable[[Sequence[T]], object],
        most: int = 200,
        name: str = "writes",
        linger: float = 0.0,
    ) -> None:
        self._engine, self._write, self._most = engine, write, most
        self._linger = linger  # a batch short of `most` waits this long for more first
        self._name = f"{BEHIND}-{name}"
        self._waiting: deque[tuple[int, T]] = deque()
        self._lock, self._writing = threading.Lock(), threading.Lock()
        self._done = threading.Condition(self._lock)
        self._more = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._given = self._written = 0
        self._stopped = False
        event.listen(engine, "engine_disposed", self._disposed)

    def put(self, item: T) -> int:
        """Queue `item`; its number, for `settled`."""
        with self._lock:
            if len(self._waiting) >= MAX_WAITING:
                log.error("writes waiting past %s: the oldest dropped", MAX_WAITING)
                self._waiting.popleft()
            self._given += 1
            self._waiting.append((self._given, item))
            self._stopped = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            else:
                self._more.notify()
            return self._given

    def settled(self, number: int, seconds: float) -> bool:
        """Wait (up to `seconds`) until item `number` is written; whether it is."""
        until = time.monotonic() + seconds
        with self._done:
            while self._written < number:
                left = until - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
            return True

    def given(self) -> int:
        """The number of the last item queued."""
        return self._given

    def written(self, number: int) -> bool:
        return self._written >= number

    def _run(self) -> None:
        while True:
            if self._linger and len(self._waiting) < self._most:
                time.sleep(self._linger)  # items that need not go at once: fewer, larger batches
            if self._batch():
                time.sleep(0)  # the GIL back to the callers between two batches
                continue
            with self._lock:  # a moment's wait for more: a thread is not started per item
                if not self._waiting and not self._stopped:
                    self._more.wait(IDLE_SECONDS)
                if not self._waiting or self._stopped:
                    self._thread = None
                    return

    def _batch(self) -> bool:
        """Write up to `most` waiting items; False when none waited."""
        with self._writing:  # one batch at a time: a flush waits for the one in flight
            with self._lock:
                if not self._waiting or self._stopped:
                    return False
                taken = [
                    self._waiting.popleft() for _ in range(min(self._most, len(self._waiting)))
                ]
            pool = self._engine.pool
            try:
                self._write([item for _, item in taken])
            except Exception:
                log.exception("%s writes done behind failed", len(taken))
            finally:
                if self._engine.pool is not pool:  # disposed meanwhile: close what it held
                    pool.dispose()
                with self._done:
                    self._written = max(self._written, taken[-1][0])
                    self._done.notify_all()
            return True

    def flush(self) -> None:
        """Write everything waiting now, the batch in flight too (tests, shutdown)."""
        with self._lock:
            self._stopped = False
        while self._batch():
            pass

    def _disposed(self, engine: Any) -> None:
        with self._lock:
            self._stopped = True
            self._more.notify_all()
        with self._writing:  # the batch in flight ends, and closes its pool
            pass
