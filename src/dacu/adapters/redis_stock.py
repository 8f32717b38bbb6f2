"""Tracked stock reserved per order in Redis: one Lua script takes every line or none.

Each shard of the stock is one hash slot: a hash of units on sale by SKU,
and one record per order of what it took there (`h|sku|qty|sku|qty…` while
held, `x|…` once given back), kept a week — long after any unpaid order is
released. One server keeps one shard, `{prefix:stock}`; on a Redis Cluster a
SKU's figure lives in shard CRC32(sku) mod `shards`, `{prefix:stock:<n>}`
(shard 0 is `{prefix:stock}`, the checkout's home), so SKUs spread over the
cluster's nodes. An order's lines in several shards are reserved shard by
shard, and what was reserved is given back when a later shard refuses.

Redis holds the figures, the database the truth. A SKU Redis has no figure
for is rebuilt through `load(sku)` — the units the database says are on sale
(its stock minus the reservations live there, and minus what orders taken in
but not yet written hold), or None when it does not track the SKU — and set
only if still absent, so a figure other processes have been taking from is
never overwritten. With a `book` (the database's own reservations), setting
stock writes the database and drops Redis's figure, and a release gives back
in both; the checkout writers book each order's units there as they write
it. When Redis cannot be reached, nothing is reserved (GateUnavailable):
stock is never sold blind.
"""

import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dacu.adapters.redis_connect import FAILURES, Client, run_scripts
from dacu.domain.errors import InvalidRule
from dacu.domain.flashsale import GateUnavailable
from dacu.domain.orders import SoldOut
from dacu.services.ports.stock import StockReservations

Load = Callable[[str], int | None]

UNTRACKED = "u"
"""The figure of a SKU the database does not limit."""

ORDER_SECONDS = 7 * 24 * 3600
"""How long an order's record of what it took is kept."""

TAKE = """
local function take(available, record, first, ttl)
  local taken = {}
  for i = first, #ARGV, 2 do
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
  redis.call('SET', record, 'h|' .. table.concat(taken, '|'), 'EX', ttl)
  return nil
end
"""
"""Lua shared by the scripts that take stock: every (sku, qty) pair of ARGV from
`first` on, all or none, recorded for the order; nil when taken, else the refusal."""

RESERVE = (
    TAKE
    + """
local available, record = KEYS[1], KEYS[2]
local before = redis.call('GET', record)
if before and string.sub(before, 1, 1) == 'h' then return {'ok', ''} end
local refused = take(available, record, 2, ARGV[1])
if refused then return refused end
return {'ok', ''}
"""
)

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

    def __init__(
        self,
        client: Client,
        load: Load,
        prefix: str = "dacu",
        book: StockReservations | None = None,
        shards: int = 1,
    ) -> None:
        self._client = client
        self._load = load
        self._book = book
        self.prefix = prefix
        self.shards = max(1, shards)
        self.slot = stock_slot(prefix)
        self.available_key = self.available_at(0)
        self._reserve = client.register_script(RESERVE)
        self._release = client.register_script(RELEASE)

    def shard_of(self, sku: str) -> int:
        """The shard of the SKU's figure (always 0 with one shard)."""
        return zlib.crc32(sku.encode()) % self.shards if self.shards > 1 else 0

    def slot_at(self, shard: int) -> str:
        return self.slot if shard == 0 else stock_slot(self.prefix, shard)

    def available_at(self, shard: int) -> str:
        return f"{self.slot_at(shard)}:available"

    def record_key(self, order_id: str, shard: int = 0) -> str:
        """Where Redis keeps what the order took in a shard: `h|sku|qty…` while held,
        `x|…` after."""
        return f"{self.slot_at(shard)}:order:{order_id}"

    def by_shard(self, wanted: dict[str, int]) -> dict[int, dict[str, int]]:
        """The units wanted, split by the shard of each SKU."""
        split: dict[int, dict[str, int]] = {}
        for sku, qty in wanted.items():
            split.setdefault(self.shard_of(sku), {})[sku] = qty
        return split

    def reserve(self, order_id: str, lines: Sequence[tuple[str, int]]) -> None:
        done: list[int] = []
        try:
            for shard, part in sorted(self.by_shard(summed(lines)).items()):
                args: list[Any] = [ORDER_SECONDS]
                for sku, qty in sorted(part.items()):
                    args += [sku, qty]
                keys = [self.available_at(shard), self.record_key(order_id, shard)]
                self.run(self._reserve, keys, args, part)
                done.append(shard)
        except SoldOut:
            self.release_in(order_id, done)
            raise

    def run(self, script: Any, keys: list[str], args: list[Any], wanted: dict[str, int]) -> str:
        """Run a script that takes stock, rebuilding each figure it finds missing (at most
        once per SKU); SoldOut when a line cannot be had, else the script's other answer."""
        for _ in range(len(wanted) + 1):
            with reachable():
                outcome, detail = (text(x) for x in script(keys=keys, args=args))
            if outcome == "sold_out":
                raise SoldOut(f"not enough {detail} left for {wanted[detail]}")
            if outcome != "missing":
                return outcome if outcome == "ok" else f"{outcome}:{detail}"
            self.rebuild(detail)
        raise GateUnavailable("stock figures vanished while reserving; try again")

    def release(self, order_id: str) -> None:
        self.release_in(order_id, range(self.shards))
        if self._book is not None:
            self._book.release(order_id)

    def release_in(self, order_id: str, shards: Iterable[int]) -> None:
        """Give back what the order holds in those shards (once: a record given back is
        marked so)."""
        calls: list[tuple[list[Any], list[Any]]] = [
            ([self.available_at(n), self.record_key(order_id, n)], []) for n in shards
        ]
        if calls:
            with reachable():
                failed = run_scripts(self._client, self._release, calls)
            errors = [r for r in failed if isinstance(r, Exception)]
            if errors:
                raise GateUnavailable(str(errors[0]))

    def set_stock(self, sku: str, available: int) -> None:
        if available < 0:
            raise InvalidRule("available", "may not be negative")
        if self._book is not None:
            self._book.set_stock(sku, available)
            self.forget([sku])
            return
        with reachable():
            self._client.hset(self.available_at(self.shard_of(sku)), sku, available)

    def available(self, sku: str) -> int | None:
        with reachable():
            figure = self._client.hget(self.available_at(self.shard_of(sku)), sku)
        if figure is None:
            figure = self.rebuild(sku)
        found = text(figure)
        return None if found == UNTRACKED else int(found)

    def forget(self, skus: Iterable[str]) -> None:
        """Drop Redis's figures for `skus`: the next use rebuilds each from the database."""
        split: dict[int, list[str]] = {}
        for sku in skus:
            split.setdefault(self.shard_of(sku), []).append(sku)
        with reachable():
            for shard, dropped in split.items():
                for start in range(0, len(dropped), 1000):
                    self._client.hdel(self.available_at(shard), *dropped[start : start + 1000])

    def pending_key(self, shard: int) -> str:
        """The orders holding units in a shard not yet taken in (`checkout_holds.py`)."""
        return f"{self.slot_at(shard)}:pending"

    def rebuild(self, sku: str) -> Any:
        """Set the database's figure for `sku`, less what holds not yet taken in hold,
        unless another process set one meanwhile. The holds are read first: one taken
        in meanwhile is counted twice (too low for a moment), never missed; no new
        hold of the SKU can be made while its figure is missing."""
        shard = self.shard_of(sku)
        held = self._held_pending(sku, shard) if shard else 0
        loaded = self._load(sku)
        figure = UNTRACKED if loaded is None else max(0, int(loaded) - held)
        key = self.available_at(shard)
        with reachable():
            pipe = self._client.pipeline(transaction=True)
            pipe.hsetnx(key, sku, figure)
            pipe.hget(key, sku)
            _, now = pipe.execute()
        return now

    def _held_pending(self, sku: str, shard: int) -> int:
        with reachable():
            orders = self._client.zrange(self.pending_key(shard), 0, -1)
            pipe = self._client.pipeline(transaction=False)
            for order_id in orders:
                pipe.get(self.record_key(text(order_id), shard))
            records = pipe.execute() if orders else []
        return sum(qty for record in records for s, qty in held_lines(record) if s == sku)


def stock_slot(prefix: str, shard: int = 0) -> str:
    """The hash tag of a shard of the stock; shard 0's is the checkout's home too."""
    return f"{{{prefix}:stock}}" if shard == 0 else f"{{{prefix}:stock:{shard}}}"


def summed(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Units wanted per SKU (a SKU on two lines is taken once, for both)."""
    wanted: dict[str, int] = {}
    for sku, qty in lines:
        if not sku or "|" in sku:
            raise InvalidRule("sku", f"{sku!r} is not a SKU")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise InvalidRule("qty", f"must be a positive integer, not {qty!r}")
        wanted[sku] = wanted.get(sku, 0) + qty
    return wanted


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@contextmanager
def reachable() -> Iterator[None]:
    """Turn a Redis failure into GateUnavailable: reservations fail closed."""
    try:
        yield
    except FAILURES as error:
        raise GateUnavailable(str(error)) from error


def held_lines(record: Any) -> list[tuple[str, int]]:
    """The units an order's record says it holds (none once given back)."""
    found = text(record) if record is not None else ""
    if not found.startswith("h|"):
        return []
    parts = found[2:].split("|") if len(found) > 2 else []
    return [(parts[i], int(parts[i + 1])) for i in range(0, len(parts), 2)]
