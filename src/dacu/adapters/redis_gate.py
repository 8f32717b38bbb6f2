"""The Redis stock gate: one Lua script decides each attempt atomically.

The script is loaded once and called by its SHA (redis-py's Script falls
back to loading it if the server lost it). In one step it checks that the
sale exists (a missing key never reads as stock), the window, the stock and
the buyer's count, answers a repeated request id with its first answer,
then takes the stock, records the reservation and appends it to the sale's
order stream, from which writers build the orders.
"""

from datetime import datetime

import redis
from redis.exceptions import RedisError

from dacu.domain.flashsale import Decision, FlashSale, GateUnavailable, Outcome

_ATTEMPT = """
local sale, bought, requests, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local user, request, qty, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local earlier = redis.call('HGET', requests, request)
if earlier then
  return {'accepted', earlier}
end
local meta = redis.call('HMGET', sale, 'starts_at', 'ends_at', 'stock', 'limit')
if not meta[1] or not meta[3] then
  return {'unknown_sale', ''}
end
if now < tonumber(meta[1]) then return {'not_started', ''} end
if now > tonumber(meta[2]) then return {'ended', ''} end
if tonumber(meta[3]) < qty then return {'sold_out', ''} end
local have = tonumber(redis.call('HGET', bought, user) or '0')
if have + qty > tonumber(meta[4]) then return {'over_limit', ''} end
redis.call('HINCRBY', sale, 'stock', -qty)
redis.call('HINCRBY', bought, user, qty)
local id = redis.call('XADD', stream, '*', 'request', request, 'user', user,
                      'qty', qty, 'at', ARGV[4])
redis.call('HSET', requests, request, id .. '|' .. user .. '|' .. qty)
return {'accepted', id .. '|' .. user .. '|' .. qty}
"""

_RELEASE = """
local sale, bought, requests = KEYS[1], KEYS[2], KEYS[3]
local held = redis.call('HGET', requests, ARGV[1])
if not held then return 0 end
local _, _, user, qty = string.find(held, '^[^|]+|([^|]+)|(%d+)$')
redis.call('HDEL', requests, ARGV[1])
redis.call('HINCRBY', sale, 'stock', tonumber(qty))
redis.call('HINCRBY', bought, user, -tonumber(qty))
return 1
"""


class RedisStockGate:
    def __init__(self, client: redis.Redis, prefix: str = "dacu") -> None:
        self._client = client
        self._prefix = prefix
        self._attempt = client.register_script(_ATTEMPT)
        self._release = client.register_script(_RELEASE)

    def _keys(self, sale_id: str) -> list[str]:
        base = f"{self._prefix}:sale:{{{sale_id}}}"  # one hash slot for a sale's keys
        return [base, f"{base}:bought", f"{base}:requests", f"{base}:stream"]

    def open(self, sale: FlashSale) -> None:
        sale_key = self._keys(sale.id)[0]
        try:
            self._client.hset(
                sale_key,
                mapping={
                    "starts_at": _ms(sale.starts_at),
                    "ends_at": _ms(sale.ends_at),
                    "stock": sale.stock,
                    "limit": sale.limit_per_user,
                },
            )
        except RedisError as error:
            raise GateUnavailable(str(error)) from error

    def attempt(
        self, sale_id: str, user_id: str, request_id: str, qty: int, now: datetime
    ) -> Decision:
        try:
            outcome, detail = self._attempt(
                keys=self._keys(sale_id), args=[user_id, request_id, qty, _ms(now)]
            )
        except RedisError as error:
            raise GateUnavailable(str(error)) from error
        outcome = Outcome(outcome.decode() if isinstance(outcome, bytes) else outcome)
        if outcome is not Outcome.ACCEPTED:
            return Decision(outcome)
        text = detail.decode() if isinstance(detail, bytes) else str(detail)
        return Decision(outcome, text.split("|")[0])

    def release(self, sale_id: str, request_id: str) -> bool:
        try:
            return bool(self._release(keys=self._keys(sale_id)[:3], args=[request_id]))
        except RedisError as error:
            raise GateUnavailable(str(error)) from error

    def remaining(self, sale_id: str) -> int:
        found = self._client.hget(self._keys(sale_id)[0], "stock")
        return int(found or 0)

    def bought(self, sale_id: str, user_id: str) -> int:
        found = self._client.hget(self._keys(sale_id)[1], user_id)
        return int(found or 0)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
