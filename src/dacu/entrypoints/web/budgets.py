"""A campaign's budget (费用预算): the cap, what is drawn and burnt, and the reserve an
operator opens (应急预算释放), audited like the API's release."""

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

RELEASERS = frozenset({Role.OPERATOR})  # as the API's release route


@router.get("/{campaign_id}/budget")
def budget_page(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    context = _context(request, campaign_id, who.role in RELEASERS)
    return page(request, "budget.html", {**context, "notice": None}, who=who)


@router.post("/{campaign_id}/budget/release", dependencies=[ConsolePost])
def release(
    campaign_id: str,
    request: Request,
    who: UserDep,
    amount: Annotated[str, Form(max_length=32)],
    key: Annotated[str, Form(min_length=1, max_length=64)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """The API's release, from the console: once per form (its key), audited the same way."""
    if who.role not in RELEASERS:
        raise NotAllowed("release_roles")
    found = backend(request)
    notice: tuple[str, str]
    try:
        fen = fen_of_yuan(amount, "amount")
        found.budgets.release(campaign_id, fen, who.subject, reason, key)
        notice = ("released_now", amount)
    except UnknownCampaign:
        raise PageMissing(campaign_id) from None
    except DomainError as refused:
        notice = ("release_refused", f"{refused.field}: {refused.message}")
    context = _context(request, campaign_id, True)
    return page(request, "_budget.html", {**context, "notice": notice}, who=who)


def _context(request: Request, campaign_id: str, may_release: bool) -> dict[str, Any]:
    found = backend(request)
    campaign = campaign_of(found, campaign_id)
    figures = found.budgets.figures(campaign_id)
    return {
        "campaign": campaign,
        "figures": figures,
        "used_bp": figures.drawn * 10_000 // figures.cap if figures.cap > 0 else 0,
        "releases": found.budgets.releases(campaign_id),
        "lines": found.budgets.lines(campaign_id),
        "may_release": may_release,
        "form_key": uuid.uuid4().hex,  # a retried post of this form releases once
        "fen": formats.fen,
    }
