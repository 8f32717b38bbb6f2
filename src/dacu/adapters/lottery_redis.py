"""The atomic draw in Redis: one Lua script per draw over one hash slot per campaign,
the database written behind (写后), as checkout's orders are.

The script (`lottery_scripts.py`) holds, under the campaign's hash tag, the pool
(`pool`: each prize's draws `g:<prize>`, every draw `g:*`, the budget line drawn
`budget`), each customer's chances granted (`granted`, mirrored from SQL) and
used (`used`), and each key's answer for a day (`draw:…`, so a retry returns
it). It is handed the server's roll (`secrets`: the script itself is
deterministic), the budget line and the prizes in the file's order; it draws by
the rule of `domain/lottery.py`, takes the chance, the prize unit and the
budget line, keeps the draw's record among the campaign's `unwritten` and
queues its id on the campaign's `draws` stream — or does none of it. The
lottery writers (`lottery_writer.py`) write the queued draws in batches
(`lottery_batches.py`: the draw, its chance, the counters, once per draw).

The prize is given in the request, as before (the `RewardGiver`, once per
`lottery:{draw id}`); its status goes to the record while the draw waits
(`mark`: the MARK script) and to the database once written, so a writer that
forgets a record marked meanwhile writes the mark first. A retry reads the
key's answer in Redis, then the database.

A figure Redis does not have is rebuilt from SQL — the counters plus any draws
not yet counted, in one snapshot — and set only while still absent. The mirror
of chances granted keeps the largest total it was told. Redis may count more
than SQL, never less: a draw the database refuses (its key drawn already under
another draw) is not given back. Draws not yet written are lost with Redis's
data, as checkout's orders are.
"""

import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select, update

from dacu.adapters.lottery_batches import mark_draws, write_draws
from dacu.adapters.lottery_fold import pool_figures
from dacu.adapters.lottery_scripts import DRAW, FORGET, GRANTED, LOAD_POOL, MARK, record_of
from dacu.adapters.lottery_store import find_draw
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_stock import reachable, text
from dacu.adapters.tables import lottery_chances, lottery_draws
from dacu.domain.lottery import Draw, DrawTicket, Lottery, NoChance, recorded_status

log = logging.getLogger(__name__)

RESULT_TTL_S = 86_400  # a retry within a day is answered by Redis; later, by SQL
REGISTER_EVERY_S = 1.0  # a drawing process puts its campaign on the register this often


class RedisDrawEngine:
    """`DrawEngine` over Redis, the draws written to SQL behind."""

    def __init__(self, client: Client, engine: Engine, prefix: str) -> None:
        self.client, self._engine, self._prefix = client, engine, prefix
        self._registered: dict[str, float] = {}  # campaign → when this process registered it
        self._draw = client.register_script(DRAW)
        self._load_pool = client.register_script(LOAD_POOL)
        self._granted = client.register_script(GRANTED)
        self._mark = client.register_script(MARK)
        self._forget = client.register_script(FORGET)

    def _slot(self, campaign_id: str) -> str:
        return f"{self._prefix}:lottery:{{{campaign_id}}}"

    def _answer(self, campaign_id: str, customer_id: str, key: str) -> str:
        return f"{self._slot(campaign_id)}:draw:{len(customer_id)}:{customer_id}:{key}"

    def stream(self, campaign_id: str) -> str:
        return f"{self._slot(campaign_id)}:draws"

    def _unwritten(self, campaign_id: str) -> str:
        return f"{self._slot(campaign_id)}:unwritten"

    @property
    def register(self) -> str:
        """The set of campaigns whose draws stream the writers follow."""
        return f"{self._prefix}:lottery:campaigns"

    def campaigns(self) -> list[str]:
        with reachable():
            return sorted(text(c) for c in self.client.smembers(self.register))

    def granted(self, campaign_id: str, customer_id: str, total: int) -> None:
        """Keep the largest total the book was read at: chances granted only grow, so a
        late or raced copy never counts one twice."""
        with reachable():
            self._granted(keys=[f"{self._slot(campaign_id)}:granted"], args=[customer_id, total])

    def draw(self, lottery: Lottery, ticket: DrawTicket) -> tuple[Draw, bool]:
        campaign = ticket.campaign_id
        self._put_on_register(campaign)
        slot = self._slot(campaign)
        keys = [
            f"{slot}:pool", f"{slot}:used", self._answer(campaign, ticket.customer_id, ticket.key),
            f"{slot}:granted", self.stream(campaign), self._unwritten(campaign),
        ]  # fmt: skip
        args: list[Any] = [
            ticket.customer_id, ticket.roll, lottery.budget, ticket.draw_id, RESULT_TTL_S,
            ticket.key, ticket.at.isoformat(), campaign,
        ]  # fmt: skip
        for prize in lottery.prizes:
            stock = -1 if prize.stock is None else prize.stock
            args += [prize.id, prize.weight, prize.value, stock]
            args.append(recorded_status(prize, ticket.status))
        for _ in range(4):
            with reachable():
                answer = self._draw(keys=keys, args=args)
            kind = text(answer[0])
            if kind == "load_pool":  # Redis lost the campaign: the register too, maybe
                self._registered.pop(campaign, None)
                self._put_on_register(campaign)
                self._rebuild_pool(campaign, keys[0])
            elif kind == "load_used":
                self._rebuild_used(ticket, keys[1])
            elif kind == "load_granted":
                self.granted(campaign, ticket.customer_id, self._book(ticket)[0])
            elif kind in ("no_chance", "empty"):
                found = self.find(campaign, ticket.customer_id, ticket.key)
                if found is None:
                    raise NoChance
                return found, False
            else:
                drawn = record_of(answer[1])
                return drawn, kind == "new" and drawn.id == ticket.draw_id
        raise AssertionError("the lottery's figures could not be loaded into Redis")

    def _put_on_register(self, campaign_id: str) -> None:
        """Again now and then: a Redis that lost the register has it back."""
        last = self._registered.get(campaign_id)
        if last is not None and time.monotonic() - last < REGISTER_EVERY_S:
            return
        with reachable():
            self.client.sadd(self.register, campaign_id)
        self._registered[campaign_id] = time.monotonic()

    def find(self, campaign_id: str, customer_id: str, key: str) -> Draw | None:
        """The key's draw: its answer in Redis, else the database's."""
        with reachable():
            found = self.client.get(self._answer(campaign_id, customer_id, key))
        if found is not None:
            return record_of(found)
        with self._engine.connect() as connection:
            return find_draw(connection, campaign_id, customer_id, key)

    def mark(self, drawn: Draw, status: str, reference: str) -> None:
        """The draw's status (its prize given, pending …): in its record while it waits,
        in the database once written."""
        keys = [
            self._unwritten(drawn.campaign_id),
            self._answer(drawn.campaign_id, drawn.customer_id, drawn.key),
        ]
        with reachable():
            waiting = self._mark(keys=keys, args=[drawn.id, status, reference[:128]])
        if not int(waiting):
            with self._engine.begin() as connection:
                connection.execute(
                    update(lottery_draws)
                    .where(lottery_draws.c.id == drawn.id)
                    .values(status=status, reference=reference[:128])
                )

    def write(self, campaign_id: str, draw_ids: Sequence[str]) -> int:
        """Write those of the draws still waiting, in one transaction, then forget them
        (a record marked meanwhile is written again first); how many were waiting."""
        unwritten = self._unwritten(campaign_id)
        with reachable():
            raw = self.client.hmget(unwritten, list(draw_ids))
        waiting = [(draw_id, r) for draw_id, r in zip(draw_ids, raw, strict=True) if r is not None]
        if not waiting:
            return 0
        refused = write_draws(self._engine, [record_of(r) for _, r in waiting])
        for draw_id in sorted(refused):
            log.error("draw %s: its key holds another draw in the database; not written", draw_id)
        for _ in range(10):
            args = [part for pair in waiting for part in pair]
            with reachable():
                changed = self._forget(keys=[unwritten], args=args)
            if not changed:
                break
            marked = [record_of(r) for r in changed]
            with self._engine.begin() as connection:
                mark_draws(connection, [d for d in marked if d.id not in refused])
            waiting = [(d.id, r) for d, r in zip(marked, changed, strict=True)]
        return len(raw) - raw.count(None)

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
            self.client.hsetnx(key, ticket.customer_id, self._book(ticket)[1])

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
