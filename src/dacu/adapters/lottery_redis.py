"""The atomic draw in Redis: one Lua script per draw over one hash slot per campaign,
PostgreSQL (or SQLite) the system of record.

The script holds, under the campaign's hash tag, the pool (`pool`: each prize's
draws `g:<prize>`, every draw `g:*`, the budget line drawn `budget`), each
customer's chances granted (`granted`, mirrored from SQL) and used (`used`),
and each draw's result for a day (`draw:…`, so a retry returns it). It is
handed the server's roll (`secrets`: the script itself is deterministic), the
budget line and the prizes in the file's order with weight, value and stock;
it draws by the rule of `domain/lottery.py`. The draw is then written to SQL,
rows of the customer's alone, both or neither (`lottery_record.py`: one
statement on PostgreSQL): the draw row, not yet counted, and the chance used.
The campaign's counters (each prize given, the
budget line) are folded in behind (`lottery_fold.py`): at most every
`fold_every_s` one draw of the process folds what every process left
uncounted, exactly once. A figure Redis does not have is rebuilt from SQL —
the counters plus the draws not yet counted, in one snapshot — and set only
while still absent. The mirror of chances granted keeps the largest total it
was told, each total read from SQL after a grant committed: granted chances
only grow, so a copy late or raced never counts a grant twice.

Redis may count more than SQL, never less: a draw it made that SQL refuses (its
key already drawn a day later, a chance Redis mirrored from a stale book) is not
given back, so its prize and chance stay taken in Redis until the next rebuild.
"""

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from dacu.adapters.lottery_fold import fold_all, pool_figures
from dacu.adapters.lottery_record import Written, write_uncounted
from dacu.adapters.lottery_store import find_draw
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_stock import reachable, text
from dacu.adapters.tables import lottery_chances
from dacu.domain.lottery import Draw, DrawTicket, Lottery, NoChance, recorded_status

log = logging.getLogger(__name__)

DRAW = """
local done = redis.call('GET', KEYS[3])
if done then return {'done', done} end
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then return {'load_pool'} end
local granted = redis.call('HGET', KEYS[4], ARGV[1])
if not granted then return {'load_granted'} end
local used = redis.call('HGET', KEYS[2], ARGV[1])
if not used then return {'load_used'} end
if tonumber(used) >= tonumber(granted) then return {'no_chance'} end
local left = tonumber(ARGV[3]) - tonumber(redis.call('HGET', KEYS[1], 'budget') or '0')
local ids, weights, values, total = {}, {}, {}, 0
for i = 6, #ARGV, 4 do
  local w, v, s = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local open = v <= left
  if open and s >= 0 then
    open = tonumber(redis.call('HGET', KEYS[1], 'g:' .. ARGV[i]) or '0') < s
  end
  if open then
    ids[#ids + 1], weights[#weights + 1], values[#values + 1] = ARGV[i], w, v
    total = total + w
  end
end
if total == 0 then return {'empty'} end
local point = math.floor(tonumber(ARGV[2]) * total / 4294967296)
local running = 0
for j = 1, #ids do
  running = running + weights[j]
  if point < running then
    redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
    redis.call('HINCRBY', KEYS[1], 'g:' .. ids[j], 1)
    redis.call('HINCRBY', KEYS[1], 'g:*', 1)
    if values[j] > 0 then redis.call('HINCRBY', KEYS[1], 'budget', values[j]) end
    local result = ARGV[4] .. ' ' .. ids[j] .. ' ' .. ARGV[2]
    redis.call('SET', KEYS[3], result, 'EX', tonumber(ARGV[5]))
    return {'new', result}
  end
end
return {'empty'}
"""

GRANTED = """
local known = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > known then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0
"""

LOAD_POOL = """
if redis.call('HEXISTS', KEYS[1], 'ready') == 1 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'ready', '1')
return 1
"""

RESULT_TTL_S = 86_400  # a retry within a day is answered by Redis; later, by SQL
FOLD_EVERY_S = 0.5  # a process folds the counters at most this often


class RedisDrawEngine:
    """`DrawEngine` over Redis, each draw written to SQL, the counters folded behind."""

    def __init__(
        self,
        client: Client,
        engine: Engine,
        prefix: str,
        fold_every_s: float = FOLD_EVERY_S,
    ) -> None:
        self._client, self._engine, self._prefix = client, engine, prefix
        self._fold_every_s, self._folded_at = fold_every_s, time.monotonic()
        self._folding = threading.Lock()
        self._draw = client.register_script(DRAW)
        self._load_pool = client.register_script(LOAD_POOL)
        self._granted = client.register_script(GRANTED)

    def _keys(self, campaign_id: str, customer_id: str, key: str) -> list[str]:
        slot = f"{self._prefix}:lottery:{{{campaign_id}}}"
        draw = f"{slot}:draw:{customer_id}:{key}"
        return [f"{slot}:pool", f"{slot}:used", draw, f"{slot}:granted"]

    def granted(self, campaign_id: str, customer_id: str, total: int) -> None:
        """Keep the largest total the book was read at: chances granted only grow, so a
        late or raced copy never counts one twice, and one read after a grant's commit
        brings the mirror up to it."""
        key = self._keys(campaign_id, customer_id, "")[3]
        with reachable():
            self._granted(keys=[key], args=[customer_id, total])

    def draw(self, lottery: Lottery, ticket: DrawTicket) -> tuple[Draw, bool]:
        keys = self._keys(ticket.campaign_id, ticket.customer_id, ticket.key)
        args: list[Any] = [
            ticket.customer_id, ticket.roll, lottery.budget, ticket.draw_id, RESULT_TTL_S,
        ]  # fmt: skip
        for prize in lottery.prizes:
            stock = -1 if prize.stock is None else prize.stock
            args += [prize.id, prize.weight, prize.value, stock]
        for _ in range(4):
            with reachable():
                answer = [text(part) for part in self._draw(keys=keys, args=args)]
            if answer[0] == "load_pool":
                self._rebuild_pool(ticket.campaign_id, keys[0])
            elif answer[0] == "load_used":
                self._rebuild_used(ticket, keys[1])
            elif answer[0] == "load_granted":
                self._rebuild_granted(ticket)
            elif answer[0] in ("no_chance", "empty"):
                found = self._find(ticket)  # a retry, its answer gone from Redis
                if found is None:
                    raise NoChance
                return found, False
            else:
                drawn = self._record(lottery, ticket, answer[1])
                self._fold_now_and_then()
                return drawn
        raise AssertionError("the lottery's figures could not be loaded into Redis")

    def fold(self) -> int:
        """Fold every draw not yet counted into the counters; how many."""
        return fold_all(self._engine)

    def _fold_now_and_then(self) -> None:
        """Fold when the last fold of this process is `fold_every_s` old, in this draw's
        thread, unless another is folding; the draw is written already, so a fold that
        fails is left to the next."""
        if time.monotonic() - self._folded_at < self._fold_every_s:
            return
        if not self._folding.acquire(blocking=False):
            return
        try:
            self._folded_at = time.monotonic()
            fold_all(self._engine)
        except DBAPIError:
            log.exception("folding the lottery's counters failed; the next draw retries")
        finally:
            self._folding.release()

    def _record(self, lottery: Lottery, ticket: DrawTicket, result: str) -> tuple[Draw, bool]:
        draw_id, prize_id, roll = result.split(" ")
        mine = DrawTicket(
            ticket.campaign_id, ticket.customer_id, ticket.key, draw_id, int(roll),
            ticket.at, ticket.status,
        )  # fmt: skip
        prize = lottery.prize(prize_id)
        written = write_uncounted(self._engine, mine, prize)
        if written is Written.DRAWN:
            status = recorded_status(prize, ticket.status)
            drawn = Draw(
                draw_id, ticket.campaign_id, ticket.customer_id, ticket.key, prize.id,
                prize.value, mine.roll, status, ticket.at,
            )  # fmt: skip
            return drawn, draw_id == ticket.draw_id
        found = self._find(ticket)  # the key's draw, written by a request before
        if found is None:  # Redis was rebuilt from a stale book: SQL stays right
            raise NoChance
        return found, found.id == ticket.draw_id

    def _find(self, ticket: DrawTicket) -> Draw | None:
        with self._engine.connect() as connection:
            return find_draw(connection, ticket.campaign_id, ticket.customer_id, ticket.key)

    def _rebuild_pool(self, campaign_id: str, key: str) -> None:
        with self._engine.connect() as connection:
            figures = pool_figures(connection, campaign_id)
        args: list[Any] = ["budget", figures.drawn]
        for prize_id, count in figures.given.items():
            args += [f"g:{prize_id}", count]
        with reachable():
            self._load_pool(keys=[key], args=args)

    def _rebuild_used(self, ticket: DrawTicket, key: str) -> None:
        with reachable():
            self._client.hsetnx(key, ticket.customer_id, self._book(ticket)[1])

    def _rebuild_granted(self, ticket: DrawTicket) -> None:
        self.granted(ticket.campaign_id, ticket.customer_id, self._book(ticket)[0])

    def _book(self, ticket: DrawTicket) -> tuple[int, int]:
        """The customer's (granted, used) in SQL."""
        c = lottery_chances.c
        with self._engine.connect() as connection:
            row = connection.execute(
                select(c.granted, c.used).where(
                    c.campaign_id == ticket.campaign_id, c.customer_id == ticket.customer_id
                )
            ).first()
        return (0, 0) if row is None else (int(row.granted), int(row.used))
