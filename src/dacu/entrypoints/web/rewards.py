"""兑换与履约: the coin redemption catalogs (stock left, budget burn) and the fulfilment
queue (awaiting address, shipping with due dates, overdue in red, top-ups pending or
failed); operators mark a prize shipped or try a failed top-up again."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Role
from dacu.domain.errors import DomainError
from dacu.domain.fulfilment import due_day
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import backend
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, UserDep

router = APIRouter(prefix=CONSOLE, include_in_schema=False)

READERS = frozenset({Role.OPERATOR, Role.SERVICE, Role.RISK, Role.FINANCE})
FULFILLERS = frozenset({Role.OPERATOR})  # as the API's shipment and retry routes


@router.get("/rewards")
def rewards_page(request: Request, who: UserDep) -> HTMLResponse:
    if who.role not in READERS:
        raise NotAllowed("fulfil_roles")
    context = {**_catalogs(request), **_queue(request, who.role in FULFILLERS)}
    return page(request, "rewards.html", {**context, "notice": None}, who=who)


@router.post("/rewards/{reward_id}/ship", dependencies=[ConsolePost])
def ship(
    reward_id: str,
    request: Request,
    who: UserDep,
    carrier: Annotated[str, Form(max_length=64)] = "",
    waybill: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    return _act(
        request, who, "shipped_now", lambda r: r.ship(reward_id, carrier, waybill, who.subject)
    )


@router.post("/rewards/{reward_id}/retry", dependencies=[ConsolePost])
def retry(reward_id: str, request: Request, who: UserDep) -> HTMLResponse:
    return _act(request, who, "retried_now", lambda r: r.retry(reward_id))


@router.post("/rewards/{reward_id}/release", dependencies=[ConsolePost])
def release(reward_id: str, request: Request, who: UserDep) -> HTMLResponse:
    return _act(request, who, "released_now", lambda r: r.release(reward_id, who.subject))


def _act(request: Request, who: Any, done: str, act: Any) -> HTMLResponse:
    if who.role not in FULFILLERS:
        raise NotAllowed("fulfil_roles")
    notice: tuple[str, str]
    try:
        found = act(backend(request).rewards)
        notice = (done, found.reward.name)
    except DomainError as refused:
        notice = ("fulfil_refused", f"{refused.field}: {refused.message}")
    context = _queue(request, True)
    return page(request, "_fulfilment.html", {**context, "notice": notice}, who=who)


def _catalogs(request: Request) -> dict[str, Any]:
    found = backend(request)
    catalogs = []
    for campaign in found.campaigns.live():
        if campaign.growth.redemption is None:
            continue
        catalog = found.redemptions.catalog(campaign.id)
        used = catalog.drawn * 10_000 // catalog.budget if catalog.budget else 0
        catalogs.append((campaign, catalog, used))
    return {"catalogs": catalogs}


def _queue(request: Request, may_fulfil: bool) -> dict[str, Any]:
    found = backend(request)
    now = found.clock()
    return {
        "queue": [(r, r.overdue or r.late(now)) for r in found.rewards.queue()],
        "may_fulfil": may_fulfil,
        "due_day": due_day,
        "fen": formats.fen,
    }
