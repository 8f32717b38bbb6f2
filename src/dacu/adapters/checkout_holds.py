"""An order's stock in other shards than the checkout's home: held first, then confirmed.

On a Redis Cluster the stock is split into shards (`redis_stock.py`), each a
hash slot of its own, while the checkout script (`checkout_scripts.py`) runs
in the home slot and takes only the lines of home's shard. A line in another
shard is held beforehand, shard by shard, by HOLD: the units taken off that
shard's figure and recorded for the order as any reservation is (`h|…`),
and the order listed among the shard's pending holds with a deadline. Then:

- the checkout script takes the order in: each hold is confirmed (dropped
  from the pending list; the units stay the order's, given back as any
  order's are);
- a shard or the checkout script refuses: every hold made is given back at
  once (RELEASE marks a record given back, so never twice);
- the process dies or Redis does not answer: the holds stay pending. The
  sweep (`sweep`, run by the checkout writers) takes each hold past its
  deadline and fences its order at home (`{home}:saga:<order>`): when the
  checkout script had taken it in (it marks the same key `taken`), the hold
  is confirmed; else the fence stands, the checkout script refuses the order
  should it come late, and the hold is given back.

So nothing is sold twice (a unit is on a figure or in one order's record),
and nothing held leaks past the deadline and the next sweep.
"""

import time
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from dacu.adapters.redis_connect import Client, run_scripts
from dacu.adapters.redis_stock import ORDER_SECONDS, TAKE, RedisStockReservations, reachable, text
from dacu.domain.flashsale import GateUnavailable
from dacu.domain.orders import SoldOut

HOLD_SECONDS = 60
"""How long a hold waits for its order to be taken in before the sweep may fence it."""

HOLD = (
    TAKE
    + """
local available, record, pending = KEYS[1], KEYS[2], KEYS[3]
local before = redis.call('GET', record)
if before and string.sub(before, 1, 1) == 'h' then return {'ok', ''} end
local refused = take(available, record, 4, ARGV[1])
if refused then return refused end
redis.call('ZADD', pending, ARGV[2], ARGV[3])
return {'ok', ''}
"""
)

FENCE = """
local found = redis.call('GET', KEYS[1])
if found then return found end
redis.call('SET', KEYS[1], 'fenced', 'EX', ARGV[1])
return 'fenced'
"""


class StockHolds:
    """Holds of an order's lines in the stock's other shards, confirmed or given back."""

    def __init__(self, client: Client, stock: RedisStockReservations) -> None:
        self._client, self._stock = client, stock
        self._hold = client.register_script(HOLD)
        self._fence = client.register_script(FENCE)
        self.sharded = stock.shards > 1

    def pending_key(self, shard: int) -> str:
        return self._stock.pending_key(shard)

    def saga_key(self, order_id: str) -> str:
        """At home: `taken` once the checkout script took the order in, or `fenced`."""
        return f"{self._stock.slot}:saga:{order_id}"

    def hold(self, order_id: str, away: dict[int, dict[str, int]]) -> list[int]:
        """Hold every shard's lines, in the shards' order; the shards held. A refusal
        (SoldOut) gives back what was held before it is raised."""
        done: list[int] = []
        deadline = time.time() + HOLD_SECONDS
        try:
            for shard, part in sorted(away.items()):
                args: list[Any] = [ORDER_SECONDS, deadline, order_id]
                for sku, qty in sorted(part.items()):
                    args += [sku, qty]
                keys = [
                    self._stock.available_at(shard),
                    self._stock.record_key(order_id, shard),
                    self.pending_key(shard),
                ]
                self._stock.run(self._hold, keys, args, part)
                done.append(shard)
        except (SoldOut, GateUnavailable):
            # the checkout script has not run: what was held is given back now (a shard
            # whose answer was lost is left to the sweep)
            with suppress(GateUnavailable):
                self.drop(order_id, done)
            raise
        return done

    def confirm(self, order_id: str, shards: Iterable[int]) -> None:
        with reachable():
            pipe = self._client.pipeline(transaction=False)
            for shard in shards:
                pipe.zrem(self.pending_key(shard), order_id)
            pipe.execute()

    def drop(self, order_id: str, shards: Iterable[int]) -> None:
        """Give the holds back (the order was refused), then forget them."""
        held = list(shards)
        if held:
            self._stock.release_in(order_id, held)
            self.confirm(order_id, held)

    def sweep(self, now: float | None = None, count: int = 100) -> int:
        """Settle the holds past their deadline; returns how many were given back."""
        moment = time.time() if now is None else now
        given = 0
        for shard in range(1, self._stock.shards):
            with reachable():
                late = self._client.zrangebyscore(
                    self.pending_key(shard), "-inf", moment, start=0, num=count
                )
            orders = [text(order_id) for order_id in late]
            if not orders:
                continue
            calls: list[tuple[list[Any], list[Any]]] = [
                ([self.saga_key(order_id)], [ORDER_SECONDS]) for order_id in orders
            ]
            with reachable():
                fences = run_scripts(self._client, self._fence, calls)
            for order_id, fence in zip(orders, fences, strict=True):
                if isinstance(fence, Exception):
                    continue
                if text(fence) == "fenced":
                    self.drop(order_id, [shard])
                    given += 1
                else:
                    self.confirm(order_id, [shard])
        return given
