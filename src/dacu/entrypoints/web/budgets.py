"""A campaign's budget (费用预算): the cap, what is drawn and burnt by department and
promotion beside the ledger, and the reserve released by approval (应急预算释放审批):
an operator asks, finance approves or rejects — audited like the API's."""

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Role
from dacu.domain.campaigns import UnknownCampaign
from dacu.domain.errors import DomainError
from dacu.domain.money import fen_of_yuan
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import PageMissing, backend, campaign_of
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, UserDep

router = APIRouter(prefix=f"{CONSOLE}/campaigns", include_in_schema=False)

ASKERS = frozenset({Role.OPERATOR})  # as the API's release requests
DECIDERS = frozenset({Role.FINANCE})  # as the API's approvals


@router.get("/{campaign_id}/budget")
def budget_page(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    context = _context(request, campaign_id, who.role)
    return page(request, "budget.html", {**context, "notice": None}, who=who)


@router.post("/{campaign_id}/budget/request", dependencies=[ConsolePost])
def ask(
    campaign_id: str,
    request: Request,
    who: UserDep,
    amount: Annotated[str, Form(max_length=32)],
    key: Annotated[str, Form(min_length=1, max_length=64)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """The API's release request, from the console: once per form (its key), audited."""
    if who.role not in ASKERS:
        raise NotAllowed("request_roles")
    found = backend(request)
    notice: tuple[str, str]
    try:
        fen = fen_of_yuan(amount, "amount")
        found.budget_requests.request(campaign_id, fen, reason, who.subject, key)
        notice = ("requested_now", amount)
    except UnknownCampaign:
        raise PageMissing(campaign_id) from None
    except DomainError as refused:
        notice = ("request_refused", f"{refused.field}: {refused.message}")
    context = _context(request, campaign_id, who.role)
    return page(request, "_budget.html", {**context, "notice": notice}, who=who)


@router.post("/{campaign_id}/budget/requests/{request_id}/{decision}", dependencies=[ConsolePost])
def decide(
    campaign_id: str,
    request_id: str,
    decision: str,
    request: Request,
    who: UserDep,
    note: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """Finance approves (the reserve opens by the asked amount) or rejects a request."""
    if who.role not in DECIDERS:
        raise NotAllowed("decide_roles")
    if decision not in ("approve", "reject"):
        raise PageMissing(decision)
    found = backend(request)
    notice: tuple[str, str]
    try:
        act = (
            found.budget_requests.approve if decision == "approve" else found.budget_requests.reject
        )
        act(campaign_id, request_id, who.subject, note)
        notice = (f"budget_{decision}_now", request_id)
    except UnknownCampaign:
        raise PageMissing(campaign_id) from None
    except DomainError as refused:
        notice = ("decision_refused", f"{refused.code.value}: {refused.message}")
    context = _context(request, campaign_id, who.role)
    return page(request, "_budget.html", {**context, "notice": notice}, who=who)


def _context(request: Request, campaign_id: str, role: Role) -> dict[str, Any]:
    found = backend(request)
    campaign = campaign_of(found, campaign_id)
    figures = found.budgets.figures(campaign_id)
    departments, promotions = found.budget_burn.levels(campaign_id)
    return {
        "campaign": campaign,
        "figures": figures,
        "used_bp": figures.drawn * 10_000 // figures.cap if figures.cap > 0 else 0,
        "releases": found.budgets.releases(campaign_id),
        "lines": found.budgets.lines(campaign_id),
        "departments": departments,
        "promotions": promotions,
        "accounts": found.budget_burn.accounts(campaign_id),
        "requests": found.budget_requests.of_campaign(campaign_id),
        "chart": json.dumps(_chart(departments, promotions), ensure_ascii=False),
        "may_ask": role in ASKERS,
        "may_decide": role in DECIDERS,
        "form_key": uuid.uuid4().hex,  # a retried post of this form asks once
        "fen": formats.fen,
    }


def _chart(departments: list[Any], promotions: list[Any]) -> dict[str, Any]:
    """What the bars show, integers of fen as the API gives them."""
    capped = [p for p in promotions if p.cap is not None]
    return {
        "departments": [[d.name, d.cap, d.drawn, d.paid] for d in departments],
        "promotions": [[p.name, p.cap, p.drawn, p.paid] for p in capped],
    }
