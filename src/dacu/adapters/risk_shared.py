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
second (`UNFLOORED_SECONDS`).
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
  return {n, floor}
end
"""
"""Adds the account under an identifier's key and answers {accounts, floor}: this
adapter's script, and the flash gate's checked attempt (`adapters/redis_scripts.py`)."""
_SEEN = SEEN_FN + "return seen(KEYS[1], ARGV[1], ARGV[2], ARGV[3])\n"

_FLOOR = """
local ttl = ARGV[#KEYS + 1]
for i = 1, #KEYS do
  local floor = tonumber(redis.call('HGET', KEYS[i], '') or '-1')
  if tonumber(ARGV[i]) > floor then
    redis.call('HSET', KEYS[i], '', ARGV[i])
    redis.call('EXPIRE', KEYS[i], ttl)
  end
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

    def floor(self, counts: dict[str, int]) -> None:
        """SQL's counts of accounts, as the floor of each identifier's (never lowered):
        on one server `FLOORS_PER_CALL` identifiers a call, all calls in one pipeline; on a
        Redis Cluster (whose nodes hold the identifiers' keys apart) one a call."""
        items = sorted(counts.items())
        per = FLOORS_PER_CALL if isinstance(self.client, redis.Redis) else 1
        calls: list[tuple[list[Any], list[Any]]] = [
            ([self._key(v) for v, _ in part], [*(n for _, n in part), self._ttl])
            for part in (items[i : i + per] for i in range(0, len(items), per))
        ]
        for reply in run_scripts(self.client, self._floor, calls):
            if isinstance(reply, Exception):
                raise reply
