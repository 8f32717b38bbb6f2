"""Work a process does later, on one thread of its own, in the order it was given: what a
caller must not wait for (a write SQLite's single writer would make it wait on itself)."""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)


class Behind:
    """Work done later by one thread of this process, in the order it was given."""

    def __init__(self) -> None:
        self._waiting: deque[Callable[[], object]] = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def later(self, work: Callable[[], object]) -> None:
        with self._lock:
            self._waiting.append(work)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._thread = None
                    return
                work = self._waiting.popleft()
            try:
                work()
            except Exception:
                log.exception("work done behind failed")

    def flush(self, seconds: float = 30.0) -> None:
        """Wait (up to `seconds`) until nothing waits and nothing runs."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            with self._lock:
                if self._thread is None:
                    return
            time.sleep(0.01)
