"""The weekly budget review (每周预算复盘) in the console: spend by department and
promotion against GMV, orders and new customers, the worst spenders flagged, and the
same review as a workbook."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from dacu.domain.access import Role
from dacu.domain.budget_review import REVIEW_ZONE, week_of
from dacu.domain.campaigns import UnknownCampaign
from dacu.domain.errors import InvalidRule
from dacu.entrypoints.budget_review_report import percent, ratio, review_xlsx
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import PageMissing, backend, campaign_of
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, NotAllowed, UserDep

router = APIRouter(prefix=f"{CONSOLE}/campaigns", include_in_schema=False)

READERS = frozenset({Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE})  # as the API's
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Week = Annotated[str | None, Query(max_length=8)]


@router.get("/{campaign_id}/budget/review")
def review_page(
    campaign_id: str, request: Request, who: UserDep, week: Week = None
) -> HTMLResponse:
    if who.role not in READERS:
        raise NotAllowed("review_roles")
    found = backend(request)
    campaign = campaign_of(found, campaign_id)
    refused = None
    try:
        review = found.budget_burn.review(campaign_id, week or None)
    except InvalidRule as bad:
        refused = f"{bad.field}: {bad.message}"
        review = found.budget_burn.review(campaign_id, week_of(found.clock(), REVIEW_ZONE))
    context = {
        "campaign": campaign,
        "review": review,
        "refused": refused,
        "fen": formats.fen,
        "ratio": ratio,
        "percent": percent,
    }
    return page(request, "budget_review.html", context, who=who)


@router.get("/{campaign_id}/budget/review.xlsx")
def review_workbook(
    campaign_id: str, request: Request, who: UserDep, week: Week = None
) -> Response:
    if who.role not in READERS:
        raise NotAllowed("review_roles")
    try:
        review = backend(request).budget_burn.review(campaign_id, week or None)
    except UnknownCampaign:
        raise PageMissing(campaign_id) from None
    except InvalidRule:
        raise PageMissing(week or "") from None
    name = f"budget-review-{campaign_id}-{review.week}.xlsx"
    return Response(
        review_xlsx(review),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
