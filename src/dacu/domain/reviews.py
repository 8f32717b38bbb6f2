"""Large-subsidy review (单笔超过1万元风控审核, plan 004): a statement line over the
policy's `review_over` fen is held before it is paid.

A review is two people's work: one prepares it (has checked the evidence — the
order's payment and its waybills — and says so), another approves or rejects it. The
approver is never the preparer (`SamePerson`). An approved line is paid by a payout of
its own; a rejected one is never paid out: it stays credited to the shop's wallet in
the ledger (owed, frozen) and the merchant may appeal the line (申诉中心).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.settlement import Statement
from dacu.domain.types import Fen

MAX_NOTE = 2000


class ReviewStatus(StrEnum):
    PENDING = "pending"  # held, nobody has checked the evidence yet
    PREPARED = "prepared"  # evidence checked by the preparer
    APPROVED = "approved"  # payable
    REJECTED = "rejected"  # not paid


DECIDED = frozenset({ReviewStatus.APPROVED, ReviewStatus.REJECTED})


class UnknownReview(NotFound):
    """No review has that id."""

    code = ErrorCode.UNKNOWN_REVIEW
    noun = "review"


class ReviewStateError(DomainError):
    """The review cannot move so from where it stands."""

    code: ClassVar[ErrorCode] = ErrorCode.REVIEW_STATE


class SamePerson(DomainError):
    """A two-person approval asked of the one who prepared it."""

    code: ClassVar[ErrorCode] = ErrorCode.SAME_PERSON


@dataclass(frozen=True, slots=True)
class Review:
    id: str  # "<statement id>:line-<no>"
    statement_id: str
    line_no: int
    shop: str
    campaign_id: str
    amount: Fen
    entry_key: str
    held_at: datetime
    refs: Mapping[str, str] = field(default_factory=dict)
    status: ReviewStatus = ReviewStatus.PENDING
    prepared_by: str = ""
    prepared_at: datetime | None = None
    note: str = ""  # the preparer's
    decided_by: str = ""
    decided_at: datetime | None = None
    report: str = ""  # the approver's

    def prepare(self, by: str, note: str, now: datetime) -> "Review":
        if self.status is not ReviewStatus.PENDING:
            raise ReviewStateError(f"review {self.id} is {self.status.value}", "status")
        return replace(
            self,
            status=ReviewStatus.PREPARED,
            prepared_by=by,
            prepared_at=now,
            note=_note(note),
        )

    def decide(self, by: str, approve: bool, report: str, now: datetime) -> "Review":
        if self.status is not ReviewStatus.PREPARED:
            state = self.status.value
            raise ReviewStateError(f"review {self.id} is {state}: it must be prepared", "status")
        if by == self.prepared_by:
            raise SamePerson(f"{by} prepared review {self.id}: another person decides it")
        report = _note(report)
        if not approve and not report:
            raise InvalidRule("report", "say why the line is rejected")
        to = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
        return replace(self, status=to, decided_by=by, decided_at=now, report=report)


def review_id(statement_id: str, line_no: int) -> str:
    return f"{statement_id}:line-{line_no}"


def held(statement: Statement, review_over: Fen, now: datetime) -> list[Review]:
    """A review for each line of the statement over `review_over` fen."""
    return [
        Review(
            review_id(statement.id, line.no),
            statement.id,
            line.no,
            statement.shop,
            statement.campaign_id,
            line.amount,
            line.entry_key,
            now,
            dict(line.refs),
        )
        for line in statement.lines
        if line.amount > review_over
    ]


def _note(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_NOTE:
        raise InvalidRule("note", f"at most {MAX_NOTE} characters")
    return text
