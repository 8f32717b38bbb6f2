"""The outbox: facts kept in the transaction of the deed, delivered to the KPIs later.

`Outbox` is the writing side, bound to one transaction (a unit of work's, or
the adapter's that does the deed): what is added lands with the deed or not at
all. `OutboxFeed` is the delivering side: facts not delivered yet, handed to
one worker at a time for a lease, then marked delivered.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from dacu.domain.facts import Fact


class Outbox(Protocol):
    def add(self, *facts: Fact) -> None:
        """Keep the facts in this transaction; a fact whose key is kept already stays as it is."""
        ...


class OutboxFeed(Protocol):
    def claim(self, limit: int, now: datetime, lease: timedelta) -> list[tuple[int, Fact]]:
        """Up to `limit` facts not delivered and not held by another worker's lease, oldest
        first, held for `lease` from `now`; each with the id that marks it delivered."""
        ...

    def delivered(self, ids: Sequence[int], now: datetime) -> None:
        """These facts reached the KPIs: never handed out again."""
        ...

    def pending(self) -> int:
        """How many facts wait to be delivered."""
        ...
