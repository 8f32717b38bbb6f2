"""Checkout writers: a consumer group on the checkouts stream writes taken-in orders.

Each round takes the entries a dead writer left pending for `idle_ms`
(XAUTOCLAIM), then new ones, writes the orders they name in one batch
(`RedisOrderIntake.write`: orders already written through are skipped,
writing twice is one order) and acknowledges them. Several writers may run
side by side, each under its own consumer name.
"""

from typing import Any

import redis
from redis.exceptions import ResponseError

from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_scripts import as_text

GROUP = "checkout-writers"


class CheckoutWriter:
    def __init__(
        self, client: redis.Redis, intake: RedisOrderIntake, consumer: str, idle_ms: int = 30_000
    ) -> None:
        self._client, self._intake = client, intake
        self._consumer, self._idle_ms = consumer, idle_ms
        self._joined = False

    def join(self) -> None:
        """Create the consumer group (from the stream's start) unless it exists."""
        try:
            self._client.xgroup_create(self._intake.stream, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._joined = True

    def run_once(self, count: int = 500, block_ms: int | None = None) -> int:
        """Write what is pending too long elsewhere, then what is new; returns entries done."""
        if not self._joined:
            self.join()
        stream = self._intake.stream
        claimed: Any = self._client.xautoclaim(
            stream, GROUP, self._consumer, min_idle_time=self._idle_ms, start_id="0-0", count=count
        )
        entries = list(claimed[1])
        fresh: Any = self._client.xreadgroup(
            GROUP, self._consumer, {stream: ">"}, count=count, block=block_ms
        )
        for _, batch in fresh or []:
            entries.extend(batch)
        if not entries:
            return 0
        ids = [as_text(fields[b"order"]) for _, fields in entries if fields]
        if ids:
            self._intake.write(ids)
        self._client.xack(stream, GROUP, *[entry_id for entry_id, _ in entries])
        self._client.xdel(stream, *[entry_id for entry_id, _ in entries])
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
