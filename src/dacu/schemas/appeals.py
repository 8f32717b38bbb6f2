"""What crosses the API's edge for appeals, reviews and payouts: the requests (strict)
and the answers, built from the domain's objects."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from dacu.domain.appeals import Appeal
from dacu.domain.evidence import ReviewEvidence
from dacu.domain.payouts import Payout
from dacu.domain.reviews import Review
from dacu.schemas.bounds import Fen, Note
from dacu.schemas.carts import Strict

StatementRef = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class AppealIn(Strict):
    statement_id: str = StatementRef
    line_no: int = Field(ge=1, le=1_000_000)
    reason: str = Field(min_length=1, max_length=1000)
    evidence: list[str] = Field(default_factory=list, max_length=10)
    claimed: Fen = Field(description="fen the merchant says it is owed for the line")


class DecisionIn(Strict):
    decision: Literal["accept", "reject"]
    amount: Fen | None = Field(None, description="fen of the adjustment, when accepting")
    report: str = Field("", max_length=4000, description="the review report (复核报告)")


class PrepareIn(Strict):
    note: Note = ""


class ReviewDecisionIn(Strict):
    approve: bool
    report: Note = ""


class PayIn(Strict):
    part: str | None = Field(None, max_length=16, description="main or line-<no>; all if none")


class AppealOut(BaseModel):
    id: str
    statement_id: str
    line_no: int
    shop: str
    campaign_id: str
    line_amount: int = Field(description="fen: what the line says")
    claimed: int = Field(description="fen claimed")
    reason: str
    evidence: list[str]
    filed_by: str
    filed_at: datetime
    deadline: datetime
    overdue: bool
    status: str
    decided_by: str
    decided_at: datetime | None
    accepted: int = Field(description="fen of the adjustment posted")
    report: str

    @classmethod
    def of(cls, appeal: Appeal, now: datetime) -> "AppealOut":
        return cls(
            id=appeal.id,
            statement_id=appeal.statement_id,
            line_no=appeal.line_no,
            shop=appeal.shop,
            campaign_id=appeal.campaign_id,
            line_amount=appeal.line_amount,
            claimed=appeal.claimed,
            reason=appeal.reason,
            evidence=list(appeal.evidence),
            filed_by=appeal.filed_by,
            filed_at=appeal.filed_at,
            deadline=appeal.deadline,
            overdue=appeal.overdue(now),
            status=appeal.status.value,
            decided_by=appeal.decided_by,
            decided_at=appeal.decided_at,
            accepted=appeal.accepted,
            report=appeal.report,
        )


class ReviewOut(BaseModel):
    id: str
    statement_id: str
    line_no: int
    shop: str
    campaign_id: str
    amount: int = Field(description="fen")
    entry_key: str
    refs: dict[str, str]
    status: str
    prepared_by: str
    prepared_at: datetime | None
    note: str
    decided_by: str
    decided_at: datetime | None
    report: str
    evidence: dict[str, object] | None = None

    @classmethod
    def of(cls, review: Review, evidence: ReviewEvidence | None = None) -> "ReviewOut":
        shown = None
        if evidence is not None:
            shown = {
                "order_id": evidence.order_id,
                "payments": [vars_of(p) for p in evidence.payments],
                "waybills": [vars_of(w) for w in evidence.waybills],
            }
        return cls(
            id=review.id,
            statement_id=review.statement_id,
            line_no=review.line_no,
            shop=review.shop,
            campaign_id=review.campaign_id,
            amount=review.amount,
            entry_key=review.entry_key,
            refs=dict(review.refs),
            status=review.status.value,
            prepared_by=review.prepared_by,
            prepared_at=review.prepared_at,
            note=review.note,
            decided_by=review.decided_by,
            decided_at=review.decided_at,
            report=review.report,
            evidence=shown,
        )


class PayoutOut(BaseModel):
    key: str
    statement_id: str
    part: str
    shop: str
    campaign_id: str
    amount: int = Field(description="fen")
    by: str
    at: datetime
    lines: list[int]
    file: str

    @classmethod
    def of(cls, payout: Payout) -> "PayoutOut":
        return cls(
            key=payout.key,
            statement_id=payout.statement_id,
            part=payout.part,
            shop=payout.shop,
            campaign_id=payout.campaign_id,
            amount=payout.amount,
            by=payout.by,
            at=payout.at,
            lines=list(payout.lines),
            file=payout.file,
        )


class PartOut(BaseModel):
    name: str
    lines: list[int]
    amount: int = Field(description="fen")
    state: str = Field(description="paid, payable, held, rejected or nothing")
    payout: PayoutOut | None


def vars_of(record: object) -> dict[str, object]:
    slots: tuple[str, ...] = getattr(record, "__slots__", ())
    return {name: getattr(record, name) for name in slots}
