"""Budget routes in depth: releases of the reserve by approval (an operator asks, finance
decides — never the one who asked) and the weekly budget review (每周预算复盘)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from dacu.domain.access import Role
from dacu.domain.budget_requests import ReleaseRequest
from dacu.domain.budget_review import ReviewRow, WeeklyReview
from dacu.entrypoints.api.budgets import READERS, IdempotencyKey
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.budget_review_report import review_xlsx
from dacu.schemas.bounds import TEXT

router = APIRouter(prefix="/v1/campaigns", tags=["budgets"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RequestIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    amount: int = Field(gt=0, le=10**13, description="fen of the reserve asked for")
    reason: str = Field(min_length=1, max_length=500, pattern=TEXT)


class DecisionIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    note: str = Field(default="", max_length=500, pattern=TEXT)


class RequestOut(BaseModel):
    id: str
    campaign_id: str
    amount: int = Field(description="fen")
    reason: str
    requested_by: str
    requested_at: datetime
    status: str = Field(description="requested, approved or rejected")
    decided_by: str | None
    decided_at: datetime | None
    note: str


def request_out(found: ReleaseRequest) -> RequestOut:
    return RequestOut(
        id=found.id,
        campaign_id=found.campaign_id,
        amount=found.amount,
        reason=found.reason,
        requested_by=found.requested_by,
        requested_at=found.requested_at,
        status=found.status.value,
        decided_by=found.decided_by,
        decided_at=found.decided_at,
        note=found.note,
    )


@router.post("/{campaign_id}/budget/release-requests", response_model=RequestOut, status_code=201)
def ask(
    campaign_id: str, body: RequestIn, key: IdempotencyKey, backend: PlatformDep, who: PrincipalDep
) -> RequestOut:
    """An operator asks for part of the reserve (amount, reason); the same key asks once."""
    who.require(Role.OPERATOR)
    asked = backend.budget_requests.request(campaign_id, body.amount, body.reason, who.subject, key)
    return request_out(asked)


@router.get("/{campaign_id}/budget/release-requests", response_model=list[RequestOut])
def requests(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> list[RequestOut]:
    who.require(*READERS)
    return [request_out(r) for r in backend.budget_requests.of_campaign(campaign_id)]


@router.post(
    "/{campaign_id}/budget/release-requests/{request_id}/approve", response_model=RequestOut
)
def approve(
    campaign_id: str,
    request_id: str,
    backend: PlatformDep,
    who: PrincipalDep,
    body: DecisionIn | None = None,
) -> RequestOut:
    """Finance opens the asked amount of the reserve, audited (not the one who asked:
    SAME_PERSON); a request is decided once (REVIEW_STATE after)."""
    who.require(Role.FINANCE)
    note = body.note if body is not None else ""
    decided = backend.budget_requests.approve(campaign_id, request_id, who.subject, note)
    return request_out(decided)


@router.post(
    "/{campaign_id}/budget/release-requests/{request_id}/reject", response_model=RequestOut
)
def reject(
    campaign_id: str,
    request_id: str,
    backend: PlatformDep,
    who: PrincipalDep,
    body: DecisionIn | None = None,
) -> RequestOut:
    """Finance turns the request down; the reserve stays closed."""
    who.require(Role.FINANCE)
    note = body.note if body is not None else ""
    decided = backend.budget_requests.reject(campaign_id, request_id, who.subject, note)
    return request_out(decided)


class RowOut(BaseModel):
    name: str = Field(description='the department ("": none named) or promotion')
    department: str | None
    cap: int | None = Field(description="fen")
    spend: int = Field(description="fen, booked in the week, net of clawbacks")
    orders: int
    gmv: int = Field(description="fen")
    per_order: int = Field(description="fen of spend per order")
    cost_bp: int | None = Field(description="spend per yuan of GMV, basis points")
    roi_bp: int | None = Field(description="GMV per yuan of spend, basis points")
    flagged: bool = Field(description="among the worst spend per yuan of GMV")


class ReviewOut(BaseModel):
    campaign_id: str
    week: str
    starts_at: datetime
    ends_at: datetime
    spend: int
    gmv: int
    orders: int
    new_customers: int
    per_order: int
    per_new_customer: int
    roi_bp: int | None
    departments: list[RowOut]
    promotions: list[RowOut]


def _row(row: ReviewRow) -> RowOut:
    return RowOut(
        name=row.name, department=row.department, cap=row.cap, spend=row.spend,
        orders=row.orders, gmv=row.gmv, per_order=row.per_order, cost_bp=row.cost_bp,
        roi_bp=row.roi_bp, flagged=row.flagged,
    )  # fmt: skip


def review_out(review: WeeklyReview) -> ReviewOut:
    return ReviewOut(
        campaign_id=review.campaign_id, week=review.week, starts_at=review.starts_at,
        ends_at=review.ends_at, spend=review.spend, gmv=review.gmv, orders=review.orders,
        new_customers=review.new_customers, per_order=review.per_order,
        per_new_customer=review.per_new_customer, roi_bp=review.roi_bp,
        departments=[_row(r) for r in review.departments],
        promotions=[_row(r) for r in review.promotions],
    )  # fmt: skip


@router.get("/{campaign_id}/budget/review", response_model=ReviewOut)
def review(
    campaign_id: str,
    backend: PlatformDep,
    who: PrincipalDep,
    week: Annotated[str | None, Query(max_length=8, description="ISO week: 2026-W45")] = None,
) -> ReviewOut:
    """每周预算复盘: the week's spend by department and promotion against its results."""
    who.require(*READERS)
    return review_out(backend.budget_burn.review(campaign_id, week))


@router.get("/{campaign_id}/budget/review.xlsx", response_class=Response)
def review_workbook(
    campaign_id: str,
    backend: PlatformDep,
    who: PrincipalDep,
    week: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    who.require(*READERS)
    found = backend.budget_burn.review(campaign_id, week)
    name = f"budget-review-{campaign_id}-{found.week}.xlsx"
    return Response(
        review_xlsx(found),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
