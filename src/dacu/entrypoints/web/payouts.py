"""大额审核 and 结算打款: finance and risk review the statement lines over 1万元 (one
prepares, another decides) with their evidence; finance pays statements and downloads
each payout's bank file. The services are the API's (`ReviewService`, `PayoutService`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import HTMLResponse, Response

from dacu.domain.access import Principal, Role
from dacu.domain.errors import DomainError
from dacu.domain.payouts import UnknownPayout
from dacu.domain.reviews import DECIDED
from dacu.entrypoints.web.context import PageMissing, backend
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, signed_in

router = APIRouter(prefix=CONSOLE, include_in_schema=False)

REVIEWERS = frozenset({Role.FINANCE, Role.RISK})  # as the API's
PAYERS = frozenset({Role.FINANCE})


def reviewer(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in REVIEWERS:
        raise NotAllowed("reviews_roles")
    return found


def payer(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in PAYERS:
        raise NotAllowed("payouts_roles")
    return found


Reviewer = Annotated[Principal, Depends(reviewer)]
Payer = Annotated[Principal, Depends(payer)]
Note = Annotated[str, Form(max_length=2000)]


@router.get("/reviews")
def reviews_page(
    request: Request,
    who: Reviewer,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    notice = None
    try:
        if campaign:
            backend(request).reviews.hold_campaign(campaign)
        else:
            backend(request).reviews.hold_all()
    except DomainError as refused:
        notice = ("appeal_refused", refused.message)
    return page(request, "reviews.html", _reviews(request, notice), who=who)


@router.post("/reviews/{review_id}/prepare", dependencies=[ConsolePost])
def prepare(review_id: str, request: Request, who: Reviewer, note: Note = "") -> HTMLResponse:
    return _moved(request, who, lambda r: r.prepare(review_id, who.subject, note))


@router.post("/reviews/{review_id}/decision", dependencies=[ConsolePost])
def decide(
    review_id: str,
    request: Request,
    who: Reviewer,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    report: Note = "",
) -> HTMLResponse:
    approve = decision == "approve"
    return _moved(request, who, lambda r: r.decide(review_id, who.subject, approve, report))


@router.get("/payouts")
def payouts_page(
    request: Request,
    who: Payer,
    statement: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    return page(request, "payouts.html", _payouts(request, statement, None), who=who)


@router.post("/payouts", dependencies=[ConsolePost])
def pay(
    request: Request,
    who: Payer,
    statement_id: Annotated[str, Form(min_length=1, max_length=200)],
) -> HTMLResponse:
    """Pay every payable part of the statement (each part once, whatever the retries)."""
    statement_id = statement_id.strip()
    notice: tuple[str, str]
    try:
        made = backend(request).payouts.pay_statement(statement_id, who.subject)
        notice = ("payout_paid", ", ".join(p.key for p in made))
    except DomainError as refused:
        notice = ("payout_refused", refused.message)
    context = _payouts(request, statement_id, notice)
    return page(request, "_payouts.html", context, who=who)


@router.get("/payouts/{key}/bank.csv")
def bank_file(key: str, request: Request, who: Payer) -> Response:
    try:
        name, body = backend(request).payouts.bank_file(key)
    except UnknownPayout:
        raise PageMissing(key) from None
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


def _moved(request: Request, who: Principal, move: Any) -> HTMLResponse:
    notice: tuple[str, str]
    try:
        done = move(backend(request).reviews)
        notice = ("review_done", done.id)
    except DomainError as refused:
        notice = ("appeal_refused", f"{refused.code.value}: {refused.message}")
    return page(request, "_reviews.html", _reviews(request, notice), who=who)


def _reviews(request: Request, notice: tuple[str, str] | None) -> dict[str, Any]:
    service = backend(request).reviews
    found = service.reviews()
    found.sort(key=lambda r: (r.status in DECIDED, r.held_at))  # undecided first
    evidence = {r.id: service.evidence(r) for r in found if r.status not in DECIDED}
    return {"reviews": found, "evidence": evidence, "notice": notice}


def _payouts(
    request: Request, statement_id: str | None, notice: tuple[str, str] | None
) -> dict[str, Any]:
    found = backend(request)
    parts = None
    if statement_id:
        try:
            parts = found.payouts.parts(found.reviews.statement(statement_id))
        except DomainError as refused:
            notice = notice or ("payout_refused", refused.message)
    return {
        "payouts": found.payouts.payouts(),
        "statement_id": statement_id or "",
        "parts": parts,
        "notice": notice,
    }
