"""The Redis stock gate: one Lua script decides each attempt atomically.

Scripts are loaded once and called by their SHA (redis-py's Script falls
back to loading one the server lost). In one step the attempt script checks
that the sale exists (a missing key never reads as stock), counts the
attempt against the buyer's and the address's rate, answers a repeated
request id with its first answer, checks the window, the stock and the
buyer's count, then takes the stock, records the hold and appends it to the
sale's order stream, from which writers build the orders.

A sale's keys share one hash slot (`{sale}`), so the scripts also run on a
Redis Cluster. A hold is stored in the `requests` hash as
`entry|user|qty|state|accepted_ms`, state `h` held, `p` paid, `x` released.
"""

import asyncio
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, RedisError

from dacu.domain.flashsale import (
    Decision,
    FlashSale,
    GateUnavailable,
    Hold,
    HoldState,
    Outcome,
    check_id,
)

_PARSE = """
local function parse(held)
  local _, _, entry, user, qty, state, at = string.find(held, '^([^|]+)|([^|]+)|(%d+)|(%a)|(%d+)$')
  return entry, user, tonumber(qty), state, at
end
"""

ATTEMPT = (
    _PARSE
    + """
local sale, bought, requests, stream, rate = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local user, request, qty, now, ip = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
if not qty or qty < 1 or qty % 1 ~= 0 then return redis.error_reply('qty: a positive integer') end
local meta = redis.call('HMGET', sale, 'starts_at', 'ends_at', 'stock', 'limit',
                        'user_rate', 'ip_rate')
if not meta[1] or not meta[3] then return {'unknown_sale', ''} end
local hits = redis.call('HINCRBY', rate, 'u:' .. user, 1)
redis.call('EXPIRE', rate, 2, 'NX')
if hits > tonumber(meta[5]) then return {'user_rate_limited', ''} end
if ip ~= '' and redis.call('HINCRBY', rate, 'i:' .. ip, 1) > tonumber(meta[6]) then
  return {'ip_rate_limited', ''}
end
local earlier = redis.call('HGET', requests, request)
if earlier then
  local entry, who, _, state = parse(earlier)
  if who ~= user then return {'request_taken', ''} end
  if state == 'x' then return {'released', entry} end
  return {'accepted', entry}
end
if tonumber(now) < tonumber(meta[1]) then return {'not_started', ''} end
if tonumber(now) > tonumber(meta[2]) then return {'ended', ''} end
if tonumber(meta[3]) < qty then return {'sold_out', ''} end
if tonumber(redis.call('HGET', bought, user) or '0') + qty > tonumber(meta[4]) then
  return {'over_limit', ''}
end
redis.call('HINCRBY', sale, 'stock', -qty)
redis.call('HINCRBY', bought, user, qty)
local id = redis.call('XADD', stream, '*', 'request', request, 'user', user, 'qty', qty, 'at', now)
redis.call('HSET', requests, request, id .. '|' .. user .. '|' .. qty .. '|h|' .. now)
return {'accepted', id}
"""
)

_RELEASE = (
    _PARSE
    + """
local sale, bought, requests = KEYS[1], KEYS[2], KEYS[3]
local held = redis.call('HGET', requests, ARGV[1])
if not held then return 0 end
local entry, user, qty, state, at = parse(held)
if state ~= 'h' then return 0 end
redis.call('HSET', requests, ARGV[1], entry .. '|' .. user .. '|' .. qty .. '|x|' .. at)
redis.call('HINCRBY', sale, 'stock', qty)
redis.call('HINCRBY', bought, user, -qty)
return 1
"""
)

_SETTLE = (
    _PARSE
    + """
local held = redis.call('HGET', KEYS[1], ARGV[1])
if not held then return 0 end
local entry, user, qty, state, at = parse(held)
if state == 'p' then return 1 end
if state ~= 'h' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], entry .. '|' .. user .. '|' .. qty .. '|p|' .. at)
return 1
"""
)

_OPEN = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""

_RESTOCK = """
if redis.call('HEXISTS', KEYS[1], 'stock') == 0 then return nil end
return redis.call('HINCRBY', KEYS[1], 'stock', tonumber(ARGV[1]))
"""

_REPAIR = (
    _PARSE
    + """
local sale, bought, requests = KEYS[1], KEYS[2], KEYS[3]
local total, fields = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('HSET', sale, unpack(ARGV, 3, 2 + fields))
for i = 3 + fields, #ARGV, 2 do
  redis.call('HSET', requests, ARGV[i], ARGV[i + 1])
end
local counts, held = {}, 0
local all = redis.call('HGETALL', requests)
for i = 1, #all, 2 do
  local _, user, qty, state = parse(all[i + 1])
  if state ~= 'x' then
    counts[user] = (counts[user] or 0) + qty
    held = held + qty
  end
end
redis.call('DEL', bought)
for user, qty in pairs(counts) do redis.call('HSET', bought, user, qty) end
redis.call('HSET', sale, 'stock', total - held)
return total - held
"""
)

_STATES = {"h": HoldState.HELD, "p": HoldState.PAID, "x": HoldState.RELEASED}
_CODES = {state: code for code, state in _STATES.items()}


def sale_keys(prefix: str, sale_id: str) -> list[str]:
    """The sale's hash, buyers' counts, holds by request, and order stream: one hash slot."""
    base = f"{prefix}:sale:{{{sale_id}}}"
    return [base, f"{base}:bought", f"{base}:requests", f"{base}:stream"]


def stream_key(prefix: str, sale_id: str) -> str:
    return sale_keys(prefix, sale_id)[3]


def sales_key(prefix: str) -> str:
    """The set of sales loaded into the gate, for the writers to follow."""
    return f"{prefix}:sales"


def attempt_call(
    prefix: str, sale_id: str, user_id: str, request_id: str, qty: int, now: datetime, ip: str
) -> tuple[list[str], list[Any]]:
    """Keys and arguments of one attempt: the rate key is the sale's key for this second."""
    check_id("user_id", user_id)
    check_id("request_id", request_id)
    if qty < 1:
        raise ValueError("qty: must be at least 1")
    now_ms = _ms(now)
    keys = sale_keys(prefix, sale_id)
    return [*keys, f"{keys[0]}:rate:{now_ms // 1000}"], [user_id, request_id, qty, now_ms, ip]


def decision(reply: Sequence[Any]) -> Decision:
    outcome = Outcome(_text(reply[0]))
    if outcome is Outcome.ACCEPTED:
        return Decision(outcome, _text(reply[1]))
    return Decision(outcome)


def parse_hold(request_id: Any, value: Any) -> Hold:
    entry, user, qty, state, at = _text(value).split("|")
    return Hold(
        _text(request_id),
        entry,
        user,
        int(qty),
        _STATES[state],
        datetime.fromtimestamp(int(at) / 1000, tz=UTC),
    )


def _hold_value(hold: Hold) -> str:
    code = _CODES[hold.state]
    return f"{hold.reservation}|{hold.user_id}|{hold.qty}|{code}|{_ms(hold.accepted_at)}"


def _definition(sale: FlashSale) -> list[Any]:
    fields = {
        "starts_at": _ms(sale.starts_at),
        "ends_at": _ms(sale.ends_at),
        "limit": sale.limit_per_user,
        "user_rate": sale.user_rate,
        "ip_rate": sale.ip_rate,
        "pay_within_ms": int(sale.pay_within.total_seconds() * 1000),
    }
    return [item for pair in fields.items() for item in pair]


class RedisStockGate:
    def __init__(self, client: redis.Redis, prefix: str = "dacu") -> None:
        self._client = client
        self.prefix = prefix
        self._attempt = client.register_script(ATTEMPT)
        self._release = client.register_script(_RELEASE)
        self._settle = client.register_script(_SETTLE)
        self._open = client.register_script(_OPEN)
        self._restock = client.register_script(_RESTOCK)
        self._repair = client.register_script(_REPAIR)

    def _keys(self, sale_id: str) -> list[str]:
        return sale_keys(self.prefix, sale_id)

    def open(self, sale: FlashSale) -> bool:
        with _reachable():
            opened = self._open(
                keys=self._keys(sale.id)[:1], args=[*_definition(sale), "stock", sale.stock]
            )
            self._client.sadd(sales_key(self.prefix), sale.id)
        return bool(opened)

    def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
    ) -> Decision:
        keys, args = attempt_call(self.prefix, sale_id, user_id, request_id, qty, now, ip)
        with _reachable():
            return decision(self._attempt(keys=keys, args=args))

    def attempt_many(
        self, sale_id: str, attempts: Sequence[tuple[str, str, int]], now: datetime, ip: str = ""
    ) -> list[Decision]:
        """Many buyers' attempts in one round trip; each is still decided on its own."""
        pipe = self._client.pipeline(transaction=False)
        for user_id, request_id, qty in attempts:
            keys, args = attempt_call(self.prefix, sale_id, user_id, request_id, qty, now, ip)
            self._attempt(keys=keys, args=args, client=pipe)
        with _reachable():
            return [decision(reply) for reply in pipe.execute()]

    def release(self, sale_id: str, request_id: str) -> bool:
        with _reachable():
            return bool(self._release(keys=self._keys(sale_id)[:3], args=[request_id]))

    def settle(self, sale_id: str, request_id: str) -> bool:
        with _reachable():
            return bool(self._settle(keys=self._keys(sale_id)[2:3], args=[request_id]))

    def restock(self, sale_id: str, qty: int) -> int:
        if qty < 1:
            raise ValueError("qty: must be at least 1")
        with _reachable():
            now_on_sale = self._restock(keys=self._keys(sale_id)[:1], args=[qty])
        if now_on_sale is None:
            raise KeyError(sale_id)
        return int(now_on_sale)

    def remaining(self, sale_id: str) -> int:
        with _reachable():
            return int(self._client.hget(self._keys(sale_id)[0], "stock") or 0)

    def bought(self, sale_id: str, user_id: str) -> int:
        with _reachable():
            return int(self._client.hget(self._keys(sale_id)[1], user_id) or 0)

    def buyers(self, sale_id: str) -> dict[str, int]:
        with _reachable():
            found: dict[Any, Any] = self._client.hgetall(self._keys(sale_id)[1])
        return {_text(user): int(n) for user, n in found.items() if int(n)}

    def hold(self, sale_id: str, request_id: str) -> Hold | None:
        with _reachable():
            found = self._client.hget(self._keys(sale_id)[2], request_id)
        return None if found is None else parse_hold(request_id, found)

    def holds(self, sale_id: str) -> list[Hold]:
        with _reachable():
            found: dict[Any, Any] = self._client.hgetall(self._keys(sale_id)[2])
        return [parse_hold(request, value) for request, value in found.items()]

    def repair(self, sale: FlashSale, holds: list[Hold]) -> int:
        definition = _definition(sale)
        args: list[Any] = [sale.stock, len(definition), *definition]
        for hold in holds:
            args += [hold.request_id, _hold_value(hold)]
        with _reachable():
            on_sale = self._repair(keys=self._keys(sale.id)[:3], args=args)
            self._client.sadd(sales_key(self.prefix), sale.id)
        return int(on_sale)


class AsyncRedisGate:
    """The gate's hot path for async HTTP handlers: attempt, and look up one's hold.

    Attempts that arrive in the same turn of the event loop leave in one
    pipeline (as ioredis's auto-pipelining does): each is still its own
    atomic script call, but a hundred buyers cost one round trip and one
    connection checkout instead of a hundred.
    """

    def __init__(self, client: aioredis.Redis, prefix: str = "dacu") -> None:
        self.client = client
        self.prefix = prefix
        self._sha = hashlib.sha1(ATTEMPT.encode()).hexdigest()
        self._waiting: list[tuple[list[Any], asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Task[None]] = set()

    async def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
    ) -> Decision:
        keys, args = attempt_call(self.prefix, sale_id, user_id, request_id, qty, now, ip)
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        self._waiting.append(([len(keys), *keys, *args], answer))
        if len(self._waiting) == 1:
            loop.call_soon(self._flush)
        return decision(await answer)

    def _flush(self) -> None:
        batch, self._waiting = self._waiting, []
        task = asyncio.ensure_future(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[list[Any], asyncio.Future[Any]]]) -> None:
        try:
            replies = await self._evalsha_all([call for call, _ in batch])
        except RedisError as error:
            for _, answer in batch:
                if not answer.done():
                    answer.set_exception(GateUnavailable(str(error)))
            return
        for (_, answer), reply in zip(batch, replies, strict=True):
            if answer.done():
                continue
            if isinstance(reply, Exception):
                answer.set_exception(GateUnavailable(str(reply)))
            else:
                answer.set_result(reply)

    async def _evalsha_all(self, calls: list[list[Any]]) -> list[Any]:
        for attempt in range(2):
            async with self.client.pipeline(transaction=False) as pipe:
                for call in calls:
                    pipe.evalsha(self._sha, *call)
                replies: list[Any] = await pipe.execute(raise_on_error=False)
            if attempt or not any(isinstance(r, NoScriptError) for r in replies):
                return replies
            await self.client.script_load(ATTEMPT)  # Redis lost its scripts: load, send again
        raise AssertionError("unreachable")

    async def hold(self, sale_id: str, request_id: str) -> tuple[Hold | None, int]:
        """The hold for `request_id`, and the sale's time to pay in ms (0: no such sale)."""
        keys = sale_keys(self.prefix, sale_id)
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.hget(keys[2], request_id)
                pipe.hget(keys[0], "pay_within_ms")
                found, pay_within = await pipe.execute()
        except RedisError as error:
            raise GateUnavailable(str(error)) from error
        hold = None if found is None else parse_hold(request_id, found)
        return hold, int(pay_within or 0)


@contextmanager
def _reachable() -> Iterator[None]:
    """Turn a Redis failure into GateUnavailable: the gate fails closed."""
    try:
        yield
    except RedisError as error:
        raise GateUnavailable(str(error)) from error


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
