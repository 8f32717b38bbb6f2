"""风控审核: the risk role's review queue (every held subject and every appeal, oldest
first), an item with its evidence and one-click decisions, the blacklist (add, remove),
and the appeals. Operators read. The service is the API's (`platform.risk_desk`)."""

from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Principal, Role
from dacu.domain.errors import DomainError, InvalidRule
from dacu.domain.risk_review import Decision, ReviewKind, ReviewStatus
from dacu.entrypoints.web.context import backend, zone_of
from dacu.entrypoints.web.i18n_risk import RISK_LABELS  # noqa: F401  (joins LABELS)
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, signed_in
from dacu.services.ports.risk_reviews import QueueFilter
from dacu.services.risk_desk import LISTABLE

router = APIRouter(prefix=f"{CONSOLE}/risk", include_in_schema=False)
READERS = frozenset({Role.RISK, Role.OPERATOR})
PAGE = 50


def risk_user(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in READERS:
        raise NotAllowed("risk_roles")
    return found


def risk_decider(request: Request) -> Principal:
    found = risk_user(request)
    if found.role is not Role.RISK:
        raise NotAllowed("risk_roles")
    return found


RiskUser = Annotated[Principal, Depends(risk_user)]
Decider = Annotated[Principal, Depends(risk_decider)]
Note = Annotated[str, Form(max_length=1000)]
Short = Annotated[str, Form(max_length=200)]


@router.get("")
def queue_page(
    request: Request,
    who: RiskUser,
    kind: Annotated[str, Query(max_length=24)] = "",
    status: Annotated[str, Query(max_length=16)] = "open",
    offset: Annotated[int, Query(ge=0, le=10**7)] = 0,
) -> HTMLResponse:
    context = _queue(request, who, kind, status, None, offset)
    return page(request, "risk_queue.html", context, who=who)


@router.get("/appeals")
def appeals_page(request: Request, who: RiskUser) -> HTMLResponse:
    context = _queue(request, who, "", "", True, 0)
    return page(request, "risk_appeals.html", context, who=who)


@router.post("/backfill", dependencies=[ConsolePost])
def backfill(request: Request, who: Decider) -> HTMLResponse:
    added = backend(request).risk_desk.backfill()
    context = _queue(request, who, "", "open", None, 0, ("risk_backfilled", str(added)))
    return page(request, "_risk_queue.html", context, who=who)


@router.get("/items/{item_id}")
def item_page(item_id: str, request: Request, who: RiskUser) -> HTMLResponse:
    evidence = backend(request).risk_desk.evidence(item_id)
    return page(request, "risk_item.html", _item(who, evidence, None), who=who)


@router.post("/items/{item_id}/decision", dependencies=[ConsolePost])
def decide(
    item_id: str,
    request: Request,
    who: Decider,
    decision: Annotated[str, Form(pattern="^(approve|reject|reject_blacklist)$")],
    note: Note = "",
    blacklist: Annotated[list[str] | None, Form(max_length=6)] = None,
    until: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """One click: the decision with its note (and what to list, until a day)."""
    desk = backend(request).risk_desk
    notice: tuple[str, str]
    try:
        ends = _day(request, until)
        chosen = (blacklist or []) if decision == "reject_blacklist" else []
        done = desk.decide(item_id, who.subject, Decision(decision), note, chosen, ends)
        notice = ("risk_decided", done.status.value)
    except DomainError as refused:
        notice = ("risk_refused", f"{refused.field or ''}: {refused.message}")
    evidence = desk.evidence(item_id)
    return page(request, "_risk_decide.html", _item(who, evidence, notice), who=who)


@router.get("/blacklist")
def blacklist_page(request: Request, who: RiskUser) -> HTMLResponse:
    return page(request, "risk_blacklist.html", _listed(request, who, None), who=who)


@router.post("/blacklist", dependencies=[ConsolePost])
def list_value(
    request: Request,
    who: Decider,
    kind: Annotated[str, Form(max_length=24)],
    value: Short,
    reason: Short,
    until: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    notice: tuple[str, str]
    try:
        ends = _day(request, until)
        backend(request).risk_desk.list_value(kind, value, who.subject, reason, ends)
        notice = ("risk_listed", f"{kind}: {value.strip()}")
    except DomainError as refused:
        notice = ("risk_refused", f"{refused.field or ''}: {refused.message}")
    return page(request, "_risk_blacklist.html", _listed(request, who, notice), who=who)


@router.post("/blacklist/remove", dependencies=[ConsolePost])
def unlist(
    request: Request,
    who: Decider,
    kind: Annotated[str, Form(max_length=24)],
    value: Short,
) -> HTMLResponse:
    notice: tuple[str, str]
    try:
        removed = backend(request).risk_desk.unlist(kind, value, who.subject)
        notice = ("risk_unlisted" if removed else "risk_not_listed", f"{kind}: {value}")
    except DomainError as refused:
        notice = ("risk_refused", f"{refused.field or ''}: {refused.message}")
    return page(request, "_risk_blacklist.html", _listed(request, who, notice), who=who)


def _queue(
    request: Request,
    who: Principal,
    kind: str,
    status: str,
    appeals: bool | None,
    offset: int,
    notice: tuple[str, str] | None = None,
) -> dict[str, Any]:
    kinds = {k.value: k for k in ReviewKind}
    statuses = {s.value: s for s in ReviewStatus}
    where = QueueFilter(kinds.get(kind), None, statuses.get(status), None, appeals)
    items, total = backend(request).risk_desk.queue(where, offset, PAGE)
    return {
        "items": items,
        "total": total,
        "offset": offset,
        "page_size": PAGE,
        "kind": kind if kind in kinds else "",
        "status": status if status in statuses else "",
        "kinds": list(kinds),
        "statuses": list(statuses),
        "may_decide": who.role is Role.RISK,
        "notice": notice,
    }


def _item(who: Principal, evidence: Any, notice: tuple[str, str] | None) -> dict[str, Any]:
    return {
        "e": evidence,
        "item": evidence.item,
        "listable": sorted(LISTABLE),
        "may_decide": who.role is Role.RISK,
        "notice": notice,
    }


def _listed(request: Request, who: Principal, notice: tuple[str, str] | None) -> dict[str, Any]:
    return {
        "entries": backend(request).risk_desk.blacklist(),
        "listable": sorted(LISTABLE),
        "may_decide": who.role is Role.RISK,
        "notice": notice,
    }


def _day(request: Request, text: str) -> datetime | None:
    """Through the day of a date input (to the start of the next, in the platform's
    zone); none if blank."""
    text = text.strip()
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidRule("until", "must be a date (YYYY-MM-DD)") from None
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone_of(backend(request)))
