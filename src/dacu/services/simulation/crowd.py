"""The shoppers during a run, as the platform's side sees them, and the means to act.

`Crowd` holds what each shopper's account has come to — a first order made or
not, units bought (for 每人限购), which template each coupon came from — the
tally of what happened, and what every step needs: the platform, the journal
and the queue of later steps.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dacu.domain.events import Segment
from dacu.services.simulation.journal import Journal
from dacu.services.simulation.plan import Shopper
from dacu.services.simulation.ports import World

Action = Callable[[datetime], None]
Schedule = Callable[[datetime, Action], None]


@dataclass(slots=True)
class Account:
    first_order: bool
    bought: Counter[str] = field(default_factory=Counter)
    coupons: dict[str, str] = field(default_factory=dict)  # coupon id -> its template


class Crowd:
    def __init__(self, world: World, journal: Journal, schedule: Schedule) -> None:
        self.world, self.journal, self.schedule = world, journal, schedule
        self.tally: Counter[str] = Counter()
        self._accounts: dict[str, Account] = {}

    def account(self, shopper: Shopper) -> Account:
        found = self._accounts.get(shopper.id)
        if found is None:
            found = self._accounts[shopper.id] = Account(shopper.segment is Segment.NEW)
        return found
