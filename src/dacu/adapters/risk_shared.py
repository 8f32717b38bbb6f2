"""How many accounts were seen with an identifier, counted live in Redis: one hash per
stored identifier, `{prefix}:risk:acc:{value}`, a field per account seen with it, and
the field "" (never an account's id) holding a floor — the count SQL (`risk_values`)
last gave. A check adds its account and reads the count in the same script: the
larger of the accounts in the hash and the floor, so a farm's next account counts the
one before at once, with no wait on the links written behind. Every script touches one
key (any node of a Redis Cluster may hold it); all of a check's identifiers are one
round trip. A key expires `ttl_s` after the last account new to it was added: a sighting
of an account already there reads the key and writes nothing. Gone, it fills again from
the accounts seen next, and the floor (every account SQL linked) is read again from
SQL within a second (`UNFLOORED_SECONDS`).
"""

from typing import Any

from dacu.adapters.redis_connect import Client, ScriptCall, run_calls, run_scripts

TTL_SECONDS = 7 * 86_400
MOST_ACCOUNTS = 10_000  # accounts kept in one hash; past it only counted by the floor

SEEN_FN = """
local function seen(key, account, ttl, most)
  local kept = redis.call('HMGET', key, account, '')  -- the account's field, the floor
  local n = redis.call('HLEN', key)
  if account ~= '' and not kept[1] and n < tonumber(most) then
    redis.call('HSET', key, account, 1)  -- an account new to the key
    redis.call('EXPIRE', key, ttl)
    n = n + 1
  end
  local floor = kept[2]
  if floor then
    n = n - 1
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
local floor = tonumber(redis.call('HGET', KEYS[1], '') or '-1')
if tonumber(ARGV[1]) > floor then
  redis.call('HSET', KEYS[1], '', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
"""


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
            (self._seen, [self._key(v)], [customer_id, self._ttl, MOST_ACCOUNTS]) for v in values
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
        """SQL's counts of accounts, as the floor of each identifier's (never lowered)."""
        calls: list[tuple[list[Any], list[Any]]] = [
            ([self._key(v)], [n, self._ttl]) for v, n in sorted(counts.items())
        ]
        for reply in run_scripts(self.client, self._floor, calls):
            if isinstance(reply, Exception):
                raise reply
