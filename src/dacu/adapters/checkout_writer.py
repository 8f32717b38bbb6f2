"""Checkout writers: a consumer group on the checkouts stream writes taken-in orders.

Each round takes the entries a dead writer left pending for `idle_ms`
(XAUTOCLAIM), then new ones, writes the orders they name in one batch
(`RedisOrderIntake.write`: orders already written through are skipped,
writing twice is one order) and acknowledges them. Several writers may run
side by side, each under its own consumer name.
"""

import redis

from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_scripts import as_text
from dacu.adapters.redis_streams import join_group, next_entries

GROUP = "checkout-writers"


class CheckoutWriter:
    def __init__(
        self, client: redis.Redis, intake: RedisOrderIntake, consumer: str, idle_ms: int = 30_000
    ) -> None:
        self._client, self._intake = client, intake
        self._consumer, self._idle_ms = consumer, idle_ms
        self._joined = False

    def join(self) -> None:
        join_group(self._client, self._intake.stream, GROUP)
        self._joined = True

    def run_once(self, count: int = 500, block_ms: int | None = None) -> int:
        """Write what is pending too long elsewhere, then what is new; returns entries done."""
        if not self._joined:
            self.join()
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
        done = 0
        for _ in range(rounds):
            found = self.run_once()
            if not found:
                break
            done += found
        return done
