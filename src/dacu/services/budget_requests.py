"""The reserve released by approval: an operator asks, finance decides (两人审批).

`BudgetService.release` stays the one way the reserve opens; this service is
the only caller of it that people reach, through an approved request.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from dacu.domain.budget_requests import ReleaseRequest, check_request
from dacu.domain.budgets import reserve_of
from dacu.domain.campaigns import Campaign
from dacu.domain.errors import IdempotencyConflict
from dacu.domain.types import Fen
from dacu.services.budgets import BudgetService


class ReleaseRequests(Protocol):
    def add(self, request: ReleaseRequest, key: str) -> ReleaseRequest: ...

    def get(self, campaign_id: str, request_id: str) -> ReleaseRequest: ...

    def of_campaign(self, campaign_id: str) -> list[ReleaseRequest]: ...

    def decide(self, decided: ReleaseRequest, reserve: Fen) -> None: ...


class ReleaseApprovals:
    def __init__(
        self,
        store: ReleaseRequests,
        budgets: BudgetService,
        campaign: Callable[[str], Campaign],
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
    ) -> None:
        self._store, self._budgets, self._campaign = store, budgets, campaign
        self._clock, self._new_id = clock, new_id

    def request(
        self, campaign_id: str, amount: Fen, reason: str, who: str, key: str
    ) -> ReleaseRequest:
        """Ask for `amount` fen of the reserve; the same key asks once."""
        check_request(amount, reason)
        self._budgets.figures(campaign_id).check_release(amount)  # UnknownCampaign first
        asked = ReleaseRequest(
            self._new_id(), campaign_id, amount, reason.strip(), who, self._clock()
        )
        found = self._store.add(asked, key)
        if (found.amount, found.reason, found.requested_by) != (amount, asked.reason, who):
            raise IdempotencyConflict(f"Idempotency-Key {key} asked for another release")
        return found

    def of_campaign(self, campaign_id: str) -> list[ReleaseRequest]:
        self._campaign(campaign_id)
        return self._store.of_campaign(campaign_id)

    def approve(
        self, campaign_id: str, request_id: str, who: str, note: str = ""
    ) -> ReleaseRequest:
        """Open the request's amount of the reserve (once: approving it again is refused)."""
        return self._decide(campaign_id, request_id, True, who, note)

    def reject(self, campaign_id: str, request_id: str, who: str, note: str = "") -> ReleaseRequest:
        return self._decide(campaign_id, request_id, False, who, note)

    def _decide(
        self, campaign_id: str, request_id: str, approve: bool, who: str, note: str
    ) -> ReleaseRequest:
        budget = self._campaign(campaign_id).budget
        asked = self._store.get(campaign_id, request_id)
        decided = asked.decide(approve, who, note, self._clock())
        if approve:
            self._budgets.figures(campaign_id).check_release(asked.amount)
        self._store.decide(decided, reserve_of(budget))
        if approve:
            self._budgets.opened(campaign_id, asked.amount)
        return decided
