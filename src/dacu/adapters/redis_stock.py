"""Tracked stock reserved per order in Redis: one Lua script takes every line or none.

Keys share one hash slot (`{prefix:stock}`), so the scripts also run on a
Redis Cluster: a hash of units on sale by SKU, and one record per order of
what it took (`h|sku|qty|sku|qty…` while held, `x|…` once given back),
kept a week — long after any unpaid order is released.

Redis holds the figures, the database the truth. A SKU Redis has no figure
for is rebuilt through `load(sku)` — the units the database says are on sale
(its stock minus the reservations live there), or None when it does not
track the SKU — and set only if still absent, so a figure other processes
have been taking from is never overwritten. When Redis cannot be reached,
nothing is reserved (GateUnavailable): stock is never sold blind.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import redis
from redis.exceptions import RedisError

from dacu.domain.errors import InvalidRule
from dacu.domain.flashsale import GateUnavailable
from dacu.domain.orders import SoldOut

Load = Callable[[str], int | None]

UNTRACKED = "u"
"""The figure of a SKU the database does not limit."""

ORDER_SECONDS = 7 * 24 * 3600
"""How long an order's record of what it took is kept."""

RESERVE = """
local available, record = KEYS[1], KEYS[2]
if redis.call('EXISTS', record) == 1 then return {'ok', ''} end
local taken = {}
for i = 2, #ARGV, 2 do
  local sku, qty = ARGV[i], tonumber(ARGV[i + 1])
  local figure = redis.call('HGET', available, sku)
  if not figure then return {'missing', sku} end
  if figure ~= 'u' then
    if tonumber(figure) < qty then return {'sold_out', sku} end
    taken[#taken + 1] = sku
    taken[#taken + 1] = qty
  end
end
for i = 1, #taken, 2 do redis.call('HINCRBY', available, taken[i], -taken[i + 1]) end
redis.call('SET', record, 'h|' .. table.concat(taken, '|'), 'EX', ARGV[1])
return {'ok', ''}
"""

RELEASE = """
local available, record = KEYS[1], KEYS[2]
local held = redis.call('GET', record)
if not held or string.sub(held, 1, 1) ~= 'h' then return 0 end
local parts = {}
for part in string.gmatch(string.sub(held, 3), '[^|]+') do parts[#parts + 1] = part end
for i = 1, #parts, 2 do
  local figure = redis.call('HGET', available, parts[i])
  if figure and figure ~= 'u' then redis.call('HINCRBY', available, parts[i], parts[i + 1]) end
end
redis.call('SET', record, 'x' .. string.sub(held, 2), 'KEEPTTL')
return 1
"""


class RedisStockReservations:
    """StockReservations in Redis; `load(sku)` rebuilds a figure Redis does not have."""

    def __init__(self, client: redis.Redis, load: Load, prefix: str = "dacu") -> None:
        self._client = client
        self._load = load
        self.prefix = prefix
        self._available = f"{{{prefix}:stock}}:available"
        self._reserve = client.register_script(RESERVE)
        self._release = client.register_script(RELEASE)

    def _record(self, order_id: str) -> str:
        return f"{{{self.prefix}:stock}}:order:{order_id}"

    def reserve(self, order_id: str, lines: Sequence[tuple[str, int]]) -> None:
        wanted = _summed(lines)
        args: list[Any] = [ORDER_SECONDS]
        for sku, qty in sorted(wanted.items()):
            args += [sku, qty]
        keys = [self._available, self._record(order_id)]
        for _ in range(len(wanted) + 1):  # at most one rebuild per SKU
            with _reachable():
                outcome, sku = (_text(x) for x in self._reserve(keys=keys, args=args))
            if outcome == "ok":
                return
            if outcome == "sold_out":
                raise SoldOut(f"not enough {sku} left for {wanted[sku]}")
            self._rebuild(sku)
        raise GateUnavailable("stock figures vanished while reserving; try again")

    def release(self, order_id: str) -> None:
        with _reachable():
            self._release(keys=[self._available, self._record(order_id)])

    def set_stock(self, sku: str, available: int) -> None:
        if available < 0:
            raise InvalidRule("available", "may not be negative")
        with _reachable():
            self._client.hset(self._available, sku, available)

    def available(self, sku: str) -> int | None:
        with _reachable():
            figure = self._client.hget(self._available, sku)
        if figure is None:
            figure = self._rebuild(sku)
        text = _text(figure)
        return None if text == UNTRACKED else int(text)

    def forget(self, sku: str) -> None:
        """Drop Redis's figure for `sku`: the next use rebuilds it from the database."""
        with _reachable():
            self._client.hdel(self._available, sku)

    def _rebuild(self, sku: str) -> Any:
        """Set the database's figure for `sku` unless another process set one meanwhile."""
        loaded = self._load(sku)
        figure = UNTRACKED if loaded is None else max(0, int(loaded))
        with _reachable():
            pipe = self._client.pipeline(transaction=True)
            pipe.hsetnx(self._available, sku, figure)
            pipe.hget(self._available, sku)
            _, now = pipe.execute()
        return now


def _summed(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Units wanted per SKU (a SKU on two lines is taken once, for both)."""
    wanted: dict[str, int] = {}
    for sku, qty in lines:
        if not sku or "|" in sku:
            raise InvalidRule("sku", f"{sku!r} is not a SKU")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise InvalidRule("qty", f"must be a positive integer, not {qty!r}")
        wanted[sku] = wanted.get(sku, 0) + qty
    return wanted


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn a Redis failure into GateUnavailable: reservations fail closed."""
    try:
        yield
    except RedisError as error:
        raise GateUnavailable(str(error)) from error
