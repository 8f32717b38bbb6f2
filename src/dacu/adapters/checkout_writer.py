"""Checkout writers: a consumer group on the checkouts stream writes taken-in orders.

Each round takes the entries a dead writer left pending for `idle_ms`
(XAUTOCLAIM), then new ones, writes the orders they name in one batch
(`RedisOrderIntake.write`: orders already written through are skipped,
writing twice is one order) and acknowledges them. Several writers may run
side by side, each under its own consumer name: every `dacu workers` process
and, in a thread (`WritingBehind`), every API process. On a Redis Cluster
each writer also sweeps, every `SWEEP_SECONDS`, the holds of stock in other
shards whose orders never came (`checkout_holds.py`).
"""

import logging
import threading
import time
from typing import Protocol

from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_scripts import as_text
from dacu.adapters.redis_streams import drained, join_group, next_entries

log = logging.getLogger(__name__)

GROUP = "checkout-writers"

SWEEP_SECONDS = 5.0


class CheckoutWriter:
    def __init__(
        self, client: Client, intake: RedisOrderIntake, consumer: str, idle_ms: int = 30_000
    ) -> None:
        self._client, self._intake = client, intake
        self._consumer, self._idle_ms = consumer, idle_ms
        self._joined = False
        self._swept = 0.0

    def join(self) -> None:
        join_group(self._client, self._intake.stream, GROUP)
        self._joined = True

    def run_once(self, count: int = 500, block_ms: int | None = None) -> int:
        """Write what is pending too long elsewhere, then what is new; returns entries done."""
        if not self._joined:
            self.join()
        if self._intake.holds.sharded and time.monotonic() - self._swept > SWEEP_SECONDS:
            self._swept = time.monotonic()
            self._intake.holds.sweep()
        stream = self._intake.stream
        entries = next_entries(
            self._client, stream, GROUP, self._consumer, self._idle_ms, count, block_ms
        )
        if not entries:
            return 0
        self._intake.write([as_text(fields[b"order"]) for _, fields in entries])
        done = [entry_id for entry_id, _ in entries]
        self._client.xack(stream, GROUP, *done)
        self._client.xdel(stream, *done)
        return len(entries)

    def drain(self, rounds: int = 10_000) -> int:
        """Run until a round finds nothing; returns entries done."""
        return drained(self.run_once, rounds)


class RoundWriter(Protocol):
    def run_once(self, count: int = 500, block_ms: int | None = None) -> int: ...


class WritingBehind:
    """A writer (checkout's, the lottery's) following its streams from a thread of its
    own, so that every API process writes what it (or any other) took in — nothing
    waits for `dacu workers` to be started. Failures are logged and retried a second
    later."""

    def __init__(
        self, writer: RoundWriter, block_ms: int = 200, name: str = "checkout-writer"
    ) -> None:
        self._writer, self._block_ms = writer, block_ms
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "WritingBehind":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._writer.run_once(block_ms=self._block_ms)
            except Exception:  # Redis or the database away: nothing acknowledged, try again
                log.exception("%s failed; retrying", self._thread.name)
                self._stopping.wait(1.0)
