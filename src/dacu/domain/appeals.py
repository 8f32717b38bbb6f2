"""Appeals (申诉中心, plan 004): a merchant disputes one line of its own statement.

An appeal names the statement and the line, says why (`reason`), shows its evidence
(text or links) and the fen it claims. One appeal stands open per line at a time; it is
to be answered within the policy's `appeal_days` Chinese working days of filing
(`deadline`), and is overdue after that while still open. Finance or an operator
decides: accepted, the platform posts an adjustment of the accepted fen (at most what
was claimed) that the next settlement run pays as a statement of its own; rejected, the
answer is a review report (复核报告). A decided appeal never changes again.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, Platform, merchant, transfer
from dacu.domain.types import MAX_FEN, Fen

MAX_REASON = 1000
MAX_EVIDENCE = 10  # items
MAX_EVIDENCE_ITEM = 500
MAX_REPORT = 4000


class AppealStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # with an adjustment posted
    REJECTED = "rejected"  # with a review report


class UnknownAppeal(NotFound):
    """No appeal has that id (or the caller may not see it: the same answer)."""

    code = ErrorCode.UNKNOWN_APPEAL
    noun = "appeal"


class AppealStateError(DomainError):
    """The appeal cannot move so: decided already, or another stands open for the line."""

    code: ClassVar[ErrorCode] = ErrorCode.APPEAL_STATE


@dataclass(frozen=True, slots=True)
class Appeal:
    id: str
    key: str  # the Idempotency-Key it was filed with (per shop)
    statement_id: str
    line_no: int
    shop: str
    campaign_id: str
    line_amount: Fen  # what the line says
    claimed: Fen  # what the merchant says it should be paid in addition
    reason: str
    evidence: tuple[str, ...]
    filed_by: str
    filed_at: datetime
    deadline: datetime  # the moment it is overdue if still open
    status: AppealStatus = AppealStatus.OPEN
    decided_by: str = ""
    decided_at: datetime | None = None
    accepted: Fen = 0  # the adjustment posted
    report: str = ""  # the review report (复核报告) or the acceptance note

    def overdue(self, now: datetime) -> bool:
        return self.status is AppealStatus.OPEN and now >= self.deadline

    def accept(self, by: str, amount: Fen, note: str, now: datetime) -> "Appeal":
        self._open()
        if not 0 < amount <= self.claimed:
            raise InvalidRule("amount", f"must be between 1 and the {self.claimed} fen claimed")
        return replace(
            self,
            status=AppealStatus.ACCEPTED,
            decided_by=by,
            decided_at=now,
            accepted=amount,
            report=_text("report", note, MAX_REPORT, required=False),
        )

    def reject(self, by: str, report: str, now: datetime) -> "Appeal":
        self._open()
        return replace(
            self,
            status=AppealStatus.REJECTED,
            decided_by=by,
            decided_at=now,
            report=_text("report", report, MAX_REPORT, required=True),
        )

    def _open(self) -> None:
        if self.status is not AppealStatus.OPEN:
            raise AppealStateError(f"appeal {self.id} is {self.status.value} already", "status")


def adjustment_key(appeal_id: str) -> str:
    return f"adjustment:{appeal_id}"


def adjustment(appeal: Appeal) -> Entry:
    """The accepted appeal's entry: the platform's adjustment owed to the shop."""
    if appeal.status is not AppealStatus.ACCEPTED or appeal.decided_at is None:
        raise AppealStateError(f"appeal {appeal.id} is not accepted", "status")
    postings = transfer(
        Platform.ADJUSTMENTS.value,
        merchant(appeal.shop, MerchantAccount.ADJUSTMENT),
        appeal.accepted,
        appeal.campaign_id,
    )
    refs = {
        "appeal_id": appeal.id,
        "statement_id": appeal.statement_id,
        "line_no": str(appeal.line_no),
        "shop": appeal.shop,
    }
    return Entry(
        adjustment_key(appeal.id),
        EntryKind.ADJUSTMENT,
        appeal.decided_at,
        postings,
        refs,
        memo=f"appeal {appeal.id}"[:500],
    )


@dataclass(frozen=True, slots=True)
class Claim:
    """What a merchant files: the line, why, its evidence, and the fen it claims."""

    statement_id: str
    line_no: int
    reason: str
    evidence: tuple[str, ...]
    claimed: Fen

    def checked(self) -> "Claim":
        if self.line_no < 1:
            raise InvalidRule("line_no", "must be a line number of the statement (from 1)")
        if not 0 < self.claimed <= MAX_FEN:
            raise InvalidRule("claimed", "must be a positive amount of fen")
        if len(self.evidence) > MAX_EVIDENCE:
            raise InvalidRule("evidence", f"at most {MAX_EVIDENCE} items")
        evidence = tuple(
            _text(f"evidence[{i}]", item, MAX_EVIDENCE_ITEM, required=True)
            for i, item in enumerate(self.evidence)
        )
        reason = _text("reason", self.reason, MAX_REASON, required=True)
        return replace(self, reason=reason, evidence=evidence)


def _text(field: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidRule(field, "must not be empty")
    if len(value) > limit:
        raise InvalidRule(field, f"at most {limit} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidRule(field, "must not hold control characters")
    return value


def overdue_first(appeals: list[Appeal], now: datetime) -> list[Appeal]:
    """Overdue open appeals first (oldest deadline first), then other open ones by
    deadline, then decided ones newest first."""
    open_ = sorted((a for a in appeals if a.status is AppealStatus.OPEN), key=lambda a: a.deadline)
    decided = [a for a in appeals if a.status is not AppealStatus.OPEN]
    decided.sort(key=lambda a: a.decided_at or a.filed_at, reverse=True)
    late = [a for a in open_ if a.overdue(now)]
    return late + [a for a in open_ if not a.overdue(now)] + decided
