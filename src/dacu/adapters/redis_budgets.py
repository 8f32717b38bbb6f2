"""Campaign budgets' hot figures in Redis, in the checkout's home slot.

One hash, campaign → what its budget has drawn less what was released of
its reserve, counting orders taken in and not yet written. The checkout
script (`redis_checkout.py`) checks and draws from it in the same step that
takes the stock; a cancelled order or a refund gives back. A figure Redis
does not have is rebuilt from the database (its `budget_draws` row plus what
the orders still on their way hold) and set only if still absent, so one
other processes are drawing from is never overwritten.
"""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.redis_connect import Client
from dacu.adapters.redis_stock import reachable, text
from dacu.domain.types import Fen

GIVE = """
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1]))
  end
end
return 0
"""


class RedisBudgetFigures:
    """`BudgetFigures` in Redis; the database rebuilds a figure Redis lost."""

    def __init__(self, client: Client, engine: Engine, slot: str, unwritten: str) -> None:
        self._client, self._engine = client, engine
        self.key = f"{slot}:budgets"
        self._unwritten = unwritten
        self._give = client.register_script(GIVE)

    def net(self, campaign_ids: Iterable[str]) -> dict[str, Fen]:
        wanted = list(campaign_ids)
        if not wanted:
            return {}
        with reachable():
            found = self._client.hmget(self.key, wanted)
        return {
            c: int(text(figure if figure is not None else self.rebuild(c)))
            for c, figure in zip(wanted, found, strict=True)
        }

    def forget(self, campaign_id: str) -> None:
        with reachable():
            self._client.hdel(self.key, campaign_id)

    def give(self, draws: Mapping[str, Fen]) -> None:
        """Give back to the figures Redis has (a missing one is rebuilt with it already)."""
        args: list[Any] = []
        for campaign_id, amount in sorted(draws.items()):
            if amount:
                args += [campaign_id, amount]
        if args:
            with reachable():
                self._give(keys=[self.key], args=args)

    def rebuild(self, campaign_id: str) -> Any:
        """Set the database's figure, with what unwritten orders drew, unless one was set."""
        with self._engine.connect() as connection:
            drawn, released = SqlBudgets(connection).drawn(campaign_id)
        figure = drawn - released + self._unwritten_draws(campaign_id)
        with reachable():
            pipe = self._client.pipeline(transaction=True)
            pipe.hsetnx(self.key, campaign_id, figure)
            pipe.hget(self.key, campaign_id)
            _, now = pipe.execute()
        return now

    def _unwritten_draws(self, campaign_id: str) -> Fen:
        total = 0
        with reachable():
            for _, record in self._client.hscan_iter(self._unwritten, count=1000):
                drawn = json.loads(record)["document"].get("drawn", {})
                total += int(drawn.get(campaign_id, 0))
        return total
