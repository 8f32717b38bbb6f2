"""Appeals (申诉中心): a merchant files against a line of its own statement; finance or
an operator decides. See `domain/appeals.py` for the rules.

Overdue appeals alert on read: every listing checks the open appeals it returns and
raises an `appeal_overdue` alert (subject `appeal:<id>`) for each one past its
deadline; the decision clears it. Whoever opens the 申诉中心 (or lists appeals over the
API) therefore raises what is late, once.
"""

from collections.abc import Callable, Collection
from datetime import date, datetime

from dacu.domain.appeals import (
    Appeal,
    AppealStateError,
    AppealStatus,
    Claim,
    UnknownAppeal,
    adjustment,
    overdue_first,
)
from dacu.domain.errors import InvalidRule
from dacu.domain.ledger import Entry
from dacu.domain.settlement_policy import SettlementPolicy
from dacu.domain.settlement_run import UnknownStatement
from dacu.domain.workdays import due_at
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.appeals import AppealStore
from dacu.services.ports.settlement import Statements

OVERDUE = "appeal_overdue"
MAX_KEY = 128


class AppealService:
    def __init__(
        self,
        store: AppealStore,
        statements: Statements,
        policy_of: Callable[[str], SettlementPolicy],
        is_workday: Callable[[date], bool],
        alerts: Alerts,
        now: Callable[[], datetime],
        ids: Callable[[], str],
    ) -> None:
        self._store, self._statements, self._policy_of = store, statements, policy_of
        self._is_workday, self._alerts, self._now, self._ids = is_workday, alerts, now, ids

    def file(self, by: str, shops: Collection[str] | None, key: str, claim: Claim) -> Appeal:
        """File the claim for a line of a statement of one of `shops` (None: any shop),
        once per Idempotency-Key; the appeal it made the first time on a retry."""
        key = _checked_key(key)
        claim = claim.checked()
        statement = self._statements.statement(claim.statement_id)
        if statement is None or (shops is not None and statement.shop not in shops):
            raise UnknownStatement(claim.statement_id)
        line = next((x for x in statement.lines if x.no == claim.line_no), None)
        if line is None:
            raise AppealStateError(f"{statement.id} has no line {claim.line_no}", "line_no")
        now = self._now()
        days = self._policy_of(statement.campaign_id).appeal_days
        appeal = Appeal(
            id=f"ap-{self._ids()}",
            key=f"{statement.shop}:{key}",
            statement_id=statement.id,
            line_no=line.no,
            shop=statement.shop,
            campaign_id=statement.campaign_id,
            line_amount=line.amount,
            claimed=claim.claimed,
            reason=claim.reason,
            evidence=claim.evidence,
            filed_by=by,
            filed_at=now,
            deadline=due_at(now, days, self._is_workday),
        )
        kept = self._store.file(appeal)
        if (kept.statement_id, kept.line_no, kept.claimed) != (
            appeal.statement_id,
            appeal.line_no,
            appeal.claimed,
        ):
            raise AppealStateError("that Idempotency-Key filed another appeal", "key")
        return kept

    def appeal(self, appeal_id: str, shops: Collection[str] | None = None) -> Appeal:
        found = self._store.appeal(appeal_id)
        if found is None or (shops is not None and found.shop not in shops):
            raise UnknownAppeal(appeal_id)
        self._alert_overdue([found])
        return found

    def appeals(
        self, shops: Collection[str] | None = None, status: AppealStatus | None = None
    ) -> list[Appeal]:
        """The appeals, the overdue open ones first (see `overdue_first`); raises the
        alerts of the overdue ones."""
        found = self._store.appeals(shops, status)
        self._alert_overdue(found)
        return overdue_first(found, self._now())

    def accept(self, appeal_id: str, by: str, amount: int, note: str = "") -> Appeal:
        """Accept with an adjustment of `amount` fen, posted with the decision."""
        appeal = self._current(appeal_id).accept(by, amount, note, self._now())
        return self._decided(appeal, adjustment(appeal))

    def reject(self, appeal_id: str, by: str, report: str) -> Appeal:
        """Reject with the review report (复核报告)."""
        appeal = self._current(appeal_id).reject(by, report, self._now())
        return self._decided(appeal, None)

    def _current(self, appeal_id: str) -> Appeal:
        found = self._store.appeal(appeal_id)
        if found is None:
            raise UnknownAppeal(appeal_id)
        return found

    def _decided(self, appeal: Appeal, entry: Entry | None) -> Appeal:
        if not self._store.decide(appeal, entry):
            raise AppealStateError(f"appeal {appeal.id} was decided already", "status")
        self._alerts.clear_alert(f"appeal:{appeal.id}", OVERDUE, self._now())
        return appeal

    def _alert_overdue(self, appeals: list[Appeal]) -> None:
        now = self._now()
        for appeal in appeals:
            if appeal.overdue(now):
                message = (
                    f"appeal {appeal.id} of {appeal.shop} on {appeal.statement_id} line "
                    f"{appeal.line_no} is past its deadline {appeal.deadline.isoformat()}"
                )
                self._alerts.raise_alert(f"appeal:{appeal.id}", OVERDUE, "warning", message, now)


def _checked_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise InvalidRule("Idempotency-Key", f"send 1 to {MAX_KEY} printable characters")
    return key
