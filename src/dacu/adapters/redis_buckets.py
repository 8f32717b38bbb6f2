"""A hot sale split into buckets, so that its attempts spread over a Redis Cluster.

One sale is one hash slot, so one node serves it however large the cluster.
Split into k buckets, bucket b is a sale of its own under the hash tag
`{<sale>:<b>}` (its own stock, buyers' counts, holds, order stream and rate
counts), and its slot lands wherever the cluster puts it. A buyer always goes
to the same bucket (CRC32 of the user id, modulo k), so the per-buyer limit
and the buyer's rate are kept exactly as on one sale; an address's rate is
counted per bucket, and a request id is one buyer's within their bucket.

A bucket that cannot serve an attempt for want of stock borrows from its
siblings, in two steps, each one script on one node:
1. TAKE, on the sibling: take n units off its stock (up to half of what it
   has, at least what the attempt wants) and record the move `out|n|to`
   under a fresh move id;
2. GIVE, on the bucket: add the n units and record the move `in|n|from`
   under the same id, unless it is recorded already (a repeat adds nothing).
Between the two the units are on neither bucket's stock: no attempt can sell
them, so nothing is sold twice. A process that dies between the steps leaves
them in flight; `finish_moves` (the sweep's, or anyone's) gives every move
taken but not given, once. At every moment the units on the buckets' stock,
in flight and held add up to the sale's stock.
"""

import uuid
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dacu.adapters.redis_connect import Client, run_scripts
from dacu.adapters.redis_scripts import ATTEMPT, attempt_call, decision, definition, sale_keys
from dacu.adapters.redis_stock import reachable as _reachable
from dacu.domain.flashsale import Decision, FlashSale, Outcome

TAKE = """
local done = redis.call('HGET', KEYS[2], ARGV[1])
if done then return tonumber(string.match(done, '^out|(%d+)|')) end
local stock = tonumber(redis.call('HGET', KEYS[1], 'stock') or '0')
local n = math.min(stock, math.max(tonumber(ARGV[2]), math.floor(stock / 2)))
if n <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'stock', -n)
redis.call('HSET', KEYS[2], ARGV[1], 'out|' .. n .. '|' .. ARGV[3])
return n
"""

GIVE = """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'stock') == 0 then return redis.error_reply('no such bucket') end
redis.call('HINCRBY', KEYS[1], 'stock', tonumber(ARGV[2]))
redis.call('HSET', KEYS[2], ARGV[1], 'in|' .. ARGV[2] .. '|' .. ARGV[3])
return 1
"""

OPEN = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


class BucketedStockGate:
    """The Redis gate for a sale split into `buckets` (see the module's docstring)."""

    def __init__(self, client: Client, prefix: str = "dacu", buckets: int = 3) -> None:
        if buckets < 1:
            raise ValueError("buckets: must be at least 1")
        self._client, self.prefix, self.buckets = client, prefix, buckets
        self._attempt = client.register_script(ATTEMPT)
        self._take = client.register_script(TAKE)
        self._give = client.register_script(GIVE)
        self._open = client.register_script(OPEN)

    def bucket_of(self, user_id: str) -> int:
        return zlib.crc32(user_id.encode()) % self.buckets

    def bucket_id(self, sale_id: str, bucket: int) -> str:
        """The id a bucket is kept under, as a sale of its own."""
        return f"{sale_id}:{bucket}"

    def _keys(self, sale_id: str, bucket: int) -> list[str]:
        return sale_keys(self.prefix, self.bucket_id(sale_id, bucket))

    def _moves(self, sale_id: str, bucket: int) -> str:
        return f"{self._keys(sale_id, bucket)[0]}:moves"

    def open(self, sale: FlashSale) -> bool:
        """Each bucket gets its share of the stock (the first ones one more)."""
        share, extra = divmod(sale.stock, self.buckets)
        opened = False
        with _reachable():
            for bucket in range(self.buckets):
                stock = share + (1 if bucket < extra else 0)
                fields = [*definition(sale), "stock", stock]
                keys = self._keys(sale.id, bucket)[:1]
                opened = bool(self._open(keys=keys, args=fields)) or opened
        return opened

    def attempt(
        self, sale_id: str, user_id: str, request_id: str, qty: int, now: datetime, ip: str = ""
    ) -> Decision:
        bucket = self.bucket_of(user_id)
        keys, args = attempt_call(
            self.prefix, self.bucket_id(sale_id, bucket), user_id, request_id, qty, now, ip
        )
        with _reachable():
            first = decision(self._attempt(keys=keys, args=args))
            if first.outcome is not Outcome.SOLD_OUT or not self.borrow(sale_id, bucket, qty):
                return first
            return decision(self._attempt(keys=keys, args=[*args, "again"]))

    def attempt_many(
        self, sale_id: str, attempts: Sequence[tuple[str, str, int]], now: datetime, ip: str = ""
    ) -> list[Decision]:
        """Many buyers' attempts in one pipeline (one per node on a cluster); an attempt
        its bucket could not serve borrows and is tried again on its own."""
        calls = [
            attempt_call(self.prefix, self._of(sale_id, user), user, request, qty, now, ip)
            for user, request, qty in attempts
        ]
        with _reachable():
            replies = run_scripts(self._client, self._attempt, calls)
            decided = [decision(_answered(reply)) for reply in replies]
            drained = False  # a borrow found nothing: every sibling is out too
            for i, (user, _, qty) in enumerate(attempts):
                if drained or decided[i].outcome is not Outcome.SOLD_OUT:
                    continue
                if not self.borrow(sale_id, self.bucket_of(user), qty):
                    drained = True
                    continue
                keys, args = calls[i]
                decided[i] = decision(self._attempt(keys=keys, args=[*args, "again"]))
        return decided

    def _of(self, sale_id: str, user_id: str) -> str:
        return self.bucket_id(sale_id, self.bucket_of(user_id))

    def borrow(self, sale_id: str, bucket: int, want: int) -> int:
        """Move stock from the siblings to `bucket` until it has `want` more; how many."""
        moved = 0
        for step in range(1, self.buckets):
            sibling = (bucket + step) % self.buckets
            move = uuid.uuid4().hex
            took = int(
                self._take(
                    keys=[self._keys(sale_id, sibling)[0], self._moves(sale_id, sibling)],
                    args=[move, want - moved, bucket],
                )
            )
            if took:
                self._give_move(sale_id, bucket, move, took, sibling)
                moved += took
            if moved >= want:
                break
        return moved

    def _give_move(self, sale_id: str, bucket: int, move: str, n: int, source: int) -> bool:
        """Step 2 of a move: False when the bucket has it already."""
        keys = [self._keys(sale_id, bucket)[0], self._moves(sale_id, bucket)]
        return bool(self._give(keys=keys, args=[move, n, source]))

    def finish_moves(self, sale_id: str) -> int:
        """Give every move taken from a bucket and not yet given to its receiver; how many
        units that put back on sale."""
        given = 0
        with _reachable():
            for source, moves in enumerate(self._all_moves(sale_id)):
                for move, record in moves.items():
                    kind, n, target = record.split("|")
                    if kind != "out":
                        continue
                    if self._give_move(sale_id, int(target), move, int(n), source):
                        given += int(n)
        return given

    def _all_moves(self, sale_id: str) -> list[dict[str, str]]:
        found = []
        for bucket in range(self.buckets):
            moves = self._client.hgetall(self._moves(sale_id, bucket))
            found.append({_text(k): _text(v) for k, v in moves.items()})
        return found

    def in_flight(self, sale_id: str) -> int:
        """Units taken from a bucket and not yet given to another."""
        with _reachable():
            moves = self._all_moves(sale_id)
        given = {m for bucket in moves for m, r in bucket.items() if r.startswith("in|")}
        return sum(
            int(r.split("|")[1])
            for bucket in moves
            for m, r in bucket.items()
            if r.startswith("out|") and m not in given
        )

    def remaining(self, sale_id: str) -> int:
        """Units on the buckets' stock (those in flight not counted)."""
        with _reachable():
            found = [
                self._client.hget(self._keys(sale_id, b)[0], "stock") for b in range(self.buckets)
            ]
        return sum(int(n or 0) for n in found)

    def bought(self, sale_id: str, user_id: str) -> int:
        key = self._keys(sale_id, self.bucket_of(user_id))[1]
        with _reachable():
            return int(self._client.hget(key, user_id) or 0)


def _answered(reply: Any) -> Any:
    if isinstance(reply, Exception):
        raise reply  # a Redis failure: `_reachable` makes it GateUnavailable
    return reply


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
