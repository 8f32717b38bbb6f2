"""结算单: a campaign's statements per shop with their totals reconciled with the
ledger, a statement's lines traceable to orders and refunds, its downloads, and the
settlement run for finance.

Finance and operators see every shop; a merchant sees its own shops only (another's
is a 404, as the API's). Every figure is the service's (`SettlementService`), the
same the API serves; the downloads are the API's files.
"""

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import HTMLResponse, Response

from dacu.domain.access import Principal
from dacu.domain.campaigns import UnknownCampaign
from dacu.domain.errors import DomainError
from dacu.domain.settlement import Statement
from dacu.domain.settlement_run import UnknownStatement
from dacu.entrypoints.settlement_statement import statement_csv, statement_xlsx
from dacu.entrypoints.statement_access import (
    READERS,
    RUNNERS,
    shops_of,
    visible_statement,
    visible_statements,
)
from dacu.entrypoints.web.context import PageMissing, backend, zone_of
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, signed_in

router = APIRouter(prefix=f"{CONSOLE}/settlement", include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 100  # lines a page

CampaignParam = Annotated[str | None, Query(max_length=64)]


def statement_reader(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in READERS:
        raise NotAllowed("settlement_roles")
    return found


ReaderDep = Annotated[Principal, Depends(statement_reader)]


@router.get("")
def settlement_page(
    request: Request, who: ReaderDep, campaign: CampaignParam = None
) -> HTMLResponse:
    return page(request, "settlement.html", _listing(request, who, campaign, None), who=who)


@router.post("/run", dependencies=[ConsolePost])
def run_settlement(
    request: Request,
    who: ReaderDep,
    campaign: Annotated[str, Form(min_length=1, max_length=64)],
    key: Annotated[str, Form(min_length=1, max_length=64)],
) -> HTMLResponse:
    """The API's run, from the console: once per form (its key)."""
    if who.role not in RUNNERS:
        raise NotAllowed("settlement_run_roles")
    notice: tuple[str, str]
    try:
        run = backend(request).settlement.run(campaign, who.subject, key)
        notice = ("settlement_issued", str(len(run.statements)))
    except UnknownCampaign:
        raise PageMissing(campaign) from None
    except DomainError as refused:
        notice = ("settlement_refused", f"{refused.field or ''}: {refused.message}")
    context = _listing(request, who, campaign, notice)
    return page(request, "settlement.html", context, who=who)


@router.get("/statements/{statement_id}")
def statement_page(
    statement_id: str,
    request: Request,
    who: ReaderDep,
    n: Annotated[int, Query(ge=1, le=10**7)] = 1,
) -> HTMLResponse:
    found = backend(request)
    header = _visible(request, who, statement_id)
    count = found.settlement.line_count(statement_id)
    lines = found.settlement.lines(statement_id, (n - 1) * PAGE, PAGE)
    context = {
        "statement": header,
        "lines": lines,
        "count": count,
        "n": n,
        "pages": max(1, -(-count // PAGE)),
    }
    return page(request, "settlement_statement.html", context, who=who)


@router.get("/statements/{statement_id}/csv")
def statement_as_csv(statement_id: str, request: Request, who: ReaderDep) -> Response:
    full = _full(request, who, statement_id)
    body = statement_csv(full, zone_of(backend(request)))
    return Response(body, media_type="text/csv; charset=utf-8", headers=_named(full, "csv"))


@router.get("/statements/{statement_id}/xlsx")
def statement_as_xlsx(statement_id: str, request: Request, who: ReaderDep) -> Response:
    full = _full(request, who, statement_id)
    body = statement_xlsx(full, zone_of(backend(request)))
    return Response(body, media_type=XLSX, headers=_named(full, "xlsx"))


def _listing(
    request: Request, who: Principal, campaign: str | None, notice: tuple[str, str] | None
) -> dict[str, Any]:
    found = backend(request)
    campaigns = [record.id for record in found.campaigns.list()]
    if campaign and campaign not in campaigns:
        raise PageMissing(campaign)
    chosen = campaign or (campaigns[-1] if campaigns else None)
    statements = [] if chosen is None else visible_statements(found, who, chosen)
    reconciled = [] if chosen is None else found.settlement.reconcile(chosen, shops_of(found, who))
    return {
        "campaigns": campaigns,
        "chosen": chosen,
        "statements": statements,
        "reconciled": reconciled,
        "may_run": who.role in RUNNERS,
        "form_key": uuid.uuid4().hex,  # a retried post of this form runs once
        "notice": notice,
    }


def _visible(request: Request, who: Principal, statement_id: str) -> Statement:
    try:
        return visible_statement(backend(request), who, statement_id)
    except UnknownStatement:
        raise PageMissing(statement_id) from None


def _full(request: Request, who: Principal, statement_id: str) -> Statement:
    _visible(request, who, statement_id)
    return backend(request).settlement.full(statement_id)


def _named(statement: Statement, extension: str) -> dict[str, str]:
    name = re.sub(r"[^A-Za-z0-9._-]", "-", f"statement-{statement.id}.{extension}")
    return {"Content-Disposition": f'attachment; filename="{name}"'}
