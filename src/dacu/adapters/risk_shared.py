"""How many accounts were seen with an identifier, counted live in Redis: one hash per
stored identifier, `{prefix}:risk:acc:{value}`, a field per account seen with it, the
field NUL holding how many (one read tells the account's field, the floor and the
count), and the field "" holding a floor — the count SQL (`risk_values`) last gave
(neither name is an account's id: those are 1 to 64 printable characters). A check
adds its account and reads the count in the same script: the larger of the accounts
in the hash and the floor, so a farm's next account counts the one before at once,
with no wait on the links written behind. Every script touches one key (any node of a
Redis Cluster may hold it); all of a check's identifiers are one round trip. A key
expires `ttl_s` after the last account new to it was added: a sighting of an account
already there reads the key and writes nothing. Gone, it fills again from the accounts
seen next, and the floor (every account SQL linked) is read again from SQL within a
second (`UNFLOORED_SECONDS`). With a floor come SQL's accounts themselves when it
links few (`floor`'s `accounts`): added to those held, so accounts only SQL linked
(long ago, the key since expired or lost) and accounts only Redis counted yet (their
links still written behind) are counted together, not only the larger part.
"""

from typing import Any

import redis

from dacu.adapters.redis_connect import Client, ScriptCall, run_calls, run_scripts

TTL_SECONDS = 7 * 86_400
MOST_ACCOUNTS = 10_000  # accounts kept in one hash; past it only counted by the floor

SEEN_FN = """
local function seen(key, account, ttl, most)
  local kept = redis.call('HMGET', key, account, '', '\\0')  -- its field, floor, count
  local n = tonumber(kept[3])
  if not n then  -- no count kept (a key only floored, or written before counts were)
    n = redis.call('HLEN', key)
    if kept[2] then n = n - 1 end
  end
  if account ~= '' and account ~= '\\0' and not kept[1] and n < tonumber(most) then
    n = n + 1
    redis.call('HSET', key, account, 1, '\\0', n)  -- an account new to the key
    redis.call('EXPIRE', key, ttl)
  end
  local floor = kept[2]
  if floor then
    floor = tonumber(floor)
    if floor > n then n = floor end
  else
    floor = -1
  end
  return n, floor
end
"""
"""Adds the account under an identifier's key and answers its accounts and floor: this
adapter's script, and the flash gate's checked attempt (`adapters/redis_scripts.py`)."""
_SEEN = SEEN_FN + "return {seen(KEYS[1], ARGV[1], ARGV[2], ARGV[3])}\n"

_FLOOR = """
local ttl, most, at = ARGV[1], tonumber(ARGV[2]), 3
for i = 1, #KEYS do
  local key, sql, m = KEYS[i], tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  local kept = redis.call('HMGET', key, '', '\\0')  -- floor, count
  local wrote = false
  if m > 0 then  -- SQL's accounts added to those held: the count is of them all
    local n = tonumber(kept[2])
    if not n then
      n = redis.call('HLEN', key)
      if kept[1] then n = n - 1 end
    end
    local held = n
    for j = at + 2, at + 1 + m do
      local account = ARGV[j]
      if n < most and account ~= '' and account ~= '\\0'
         and redis.call('HSETNX', key, account, 1) == 1 then
        n = n + 1
      end
    end
    if n > held then
      redis.call('HSET', key, '\\0', n)
      wrote = true
    end
  end
  if sql > tonumber(kept[1] or '-1') then
    redis.call('HSET', key, '', sql)
    wrote = true
  end
  if wrote then redis.call('EXPIRE', key, ttl) end
  at = at + 2 + m
end
return 1
"""
FLOORS_PER_CALL = 100  # identifiers one floor call sets on one server (a cluster: one)


class RedisSharedAccounts:
    def __init__(self, client: Client, prefix: str, ttl_s: int = TTL_SECONDS) -> None:
        self.client, self._prefix, self._ttl = client, prefix, ttl_s
        self._seen = client.register_script(_SEEN)
        self._floor = client.register_script(_FLOOR)

    def _key(self, value: str) -> str:
        return f"{self._prefix}:risk:acc:{value}"

    def seen(self, customer_id: str, values: list[str]) -> list[tuple[int, bool]]:
        """Add the account to each stored identifier (none when `customer_id` is ""); for
        each, the accounts seen with it and whether SQL's floor is known."""
        return self.answers(run_calls(self.client, self.calls(customer_id, values)))

    def calls(self, customer_id: str, values: list[str]) -> list[ScriptCall]:
        """`seen`'s script calls, to be sent in another adapter's round trip."""
        return [
            (self._seen, (self._key(v),), (customer_id, self._ttl, MOST_ACCOUNTS)) for v in values
        ]

    @staticmethod
    def answers(replies: list[Any]) -> list[tuple[int, bool]]:
        """`seen`'s answer from its calls' replies."""
        found = []
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
            found.append((int(reply[0]), int(reply[1]) >= 0))
        return found

    def floor(self, counts: dict[str, int], accounts: dict[str, list[str]] | None = None) -> None:
        """SQL's counts of accounts, as the floor of each identifier's (never lowered), and
        `accounts` SQL linked to some of them added to those held (the count is then of
        both: accounts only SQL knows and accounts only Redis counted yet): on one server
        `FLOORS_PER_CALL` identifiers a call, all calls in one pipeline; on a Redis Cluster
        (whose nodes hold the identifiers' keys apart) one a call."""
        items = sorted(counts.items())
        listed = accounts or {}
        per = FLOORS_PER_CALL if isinstance(self.client, redis.Redis) else 1
        calls: list[tuple[list[Any], list[Any]]] = []
        for part in (items[i : i + per] for i in range(0, len(items), per)):
            args: list[Any] = [self._ttl, MOST_ACCOUNTS]
            for value, n in part:
                ids = listed.get(value, [])
                args += [n, len(ids), *ids]
            calls.append(([self._key(v) for v, _ in part], args))
        for reply in run_scripts(self.client, self._floor, calls):
            if isinstance(reply, Exception):
                raise reply
