"""The risk check on 抢购 attempts, within the hot path's budget.

An attempt is asked about once in 5 s per buyer, device and address at most:
the answer is kept in this process's memory that long, so a storm of retries
costs the check nothing after the first (the gate already limits each buyer
and address per second). A block refuses the attempt (403 `risk_blocked`);
review lets it through: the units are the gate's to give, and what a held
buyer earns from the order is held as for any order under review.
"""

import time
from collections.abc import Callable
from datetime import datetime

from dacu.domain.risk import Action, Identity, RiskQuery, Verdict
from dacu.services.ports.risk import RiskCheck

KEEP_SECONDS = 5.0
MOST_KEPT = 100_000  # answers kept at once; forgotten all together beyond it


class FlashScreen:
    def __init__(
        self,
        risk: RiskCheck,
        clock: Callable[[], datetime],
        keep: float = KEEP_SECONDS,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self._risk, self._clock, self._keep, self._ticks = risk, clock, keep, ticks
        self._seen: dict[tuple[str, str, str], tuple[bool, float]] = {}

    def blocked(self, customer_id: str, identity: Identity, sale_id: str) -> bool:
        """Whether the check blocks this buyer's attempts now."""
        key = (customer_id, identity.device, identity.ip)
        now = self._ticks()
        kept = self._seen.get(key)
        if kept is not None and kept[1] > now:
            return kept[0]
        query = RiskQuery(
            Action.FLASH_ATTEMPT, customer_id, self._clock(), subject=sale_id, identity=identity
        )
        refused = self._risk.assess(query).verdict is Verdict.BLOCK
        if len(self._seen) >= MOST_KEPT:
            self._seen.clear()
        self._seen[key] = (refused, now + self._keep)
        return refused
