"""Lottery writers: a consumer group on each campaign's draws stream writes the draws the
Redis script made.

Each round, for every campaign on the register, takes the entries a dead
writer left pending for `idle_ms` (XAUTOCLAIM), then new ones, writes the draws
they name in one batch (`RedisDrawEngine.write`: draws written already are
skipped, writing twice is one draw) and acknowledges them. Several writers may
run side by side, each under its own consumer name: every `dacu workers`
process and, in a thread (`WritingBehind`), every API process.
"""

import time

from redis.exceptions import ResponseError

from dacu.adapters.lottery_redis import RedisDrawEngine
from dacu.adapters.redis_scripts import as_text
from dacu.adapters.redis_streams import drained, join_group, next_entries

GROUP = "lottery-writers"


class LotteryWriter:
    def __init__(self, draws: RedisDrawEngine, consumer: str, idle_ms: int = 30_000) -> None:
        self._draws, self._consumer, self._idle_ms = draws, consumer, idle_ms
        self._joined: set[str] = set()

    def run_once(self, count: int = 500, block_ms: int | None = None) -> int:
        """Write what is pending too long elsewhere, then what is new, for every campaign;
        entries done. With `block_ms`, a round that found nothing waits that long."""
        done = 0
        for campaign_id in self._draws.campaigns():
            try:
                done += self._campaign(campaign_id, count)
            except ResponseError as error:  # the stream or its group lost with Redis's data
                if "NOGROUP" not in str(error):
                    raise
                self._joined.discard(campaign_id)
                done += self._campaign(campaign_id, count)
        if not done and block_ms:
            time.sleep(block_ms / 1000)
        return done

    def _campaign(self, campaign_id: str, count: int) -> int:
        client, stream = self._draws.client, self._draws.stream(campaign_id)
        if campaign_id not in self._joined:
            join_group(client, stream, GROUP)
            self._joined.add(campaign_id)
        entries = next_entries(client, stream, GROUP, self._consumer, self._idle_ms, count)
        if not entries:
            return 0
        self._draws.write(campaign_id, [as_text(fields[b"draw"]) for _, fields in entries])
        done = [entry_id for entry_id, _ in entries]
        client.xack(stream, GROUP, *done)
        client.xdel(stream, *done)
        return len(entries)

    def drain(self, rounds: int = 100_000) -> int:
        """Run until a round finds nothing; entries done."""
        return drained(self.run_once, rounds)
