"""Releasing the contingency reserve by approval (应急资金释放审批, 004 财务规划).

An operator asks for part of a campaign's reserve, saying how much and why;
finance approves or rejects it — never the one who asked (SAME_PERSON). Only
an approved request opens the reserve, and it opens exactly its amount, once.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound, StateError
from dacu.domain.types import MAX_FEN, Fen


class RequestStatus(StrEnum):
    REQUESTED = "requested"  # 待审批
    APPROVED = "approved"  # 已批准: the reserve opened by its amount
    REJECTED = "rejected"  # 已驳回


class UnknownReleaseRequest(NotFound):
    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_REVIEW
    noun = "release request"


class ReleaseRequestState(StateError):
    """The request was decided already."""

    code: ClassVar[ErrorCode] = ErrorCode.REVIEW_STATE


class SamePerson(DomainError):
    """Who asked for a release may not approve or reject it."""

    code: ClassVar[ErrorCode] = ErrorCode.SAME_PERSON


@dataclass(frozen=True, slots=True)
class ReleaseRequest:
    id: str
    campaign_id: str
    amount: Fen
    reason: str
    requested_by: str
    requested_at: datetime
    status: RequestStatus = RequestStatus.REQUESTED
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""

    @property
    def release_key(self) -> str:
        """The key of `budget_releases` an approval opens the reserve under."""
        return f"request:{self.id}"

    def decide(self, approve: bool, who: str, note: str, now: datetime) -> "ReleaseRequest":
        if self.status is not RequestStatus.REQUESTED:
            raise ReleaseRequestState(f"release request {self.id} is {self.status.value}")
        if who == self.requested_by:
            raise SamePerson(f"{who} asked for release request {self.id}: another approves")
        status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        return replace(self, status=status, decided_by=who, decided_at=now, note=note.strip())


def check_request(amount: object, reason: str) -> None:
    """An amount of fen and a reason, named by field when wrong."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidRule("amount", "must be a positive number of fen")
    if amount > MAX_FEN:
        raise InvalidRule("amount", f"must be at most {MAX_FEN} fen")
    if not reason.strip():
        raise InvalidRule("reason", "say why the reserve is needed")
