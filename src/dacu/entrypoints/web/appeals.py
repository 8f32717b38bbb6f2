"""申诉中心: a merchant files appeals against lines of its own statements and follows
them; finance and operators see every appeal, the overdue first, and decide (accept
with an adjustment, or reject with a review report). The service is the API's
(`AppealService`); reading the list raises the alerts of the overdue ones."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Principal, Role
from dacu.domain.appeals import Claim
from dacu.domain.errors import DomainError, InvalidRule
from dacu.domain.money import fen_of_yuan
from dacu.entrypoints.web.context import backend
from dacu.entrypoints.web.i18n import LABELS
from dacu.entrypoints.web.i18n_appeals import APPEAL_LABELS
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, signed_in

router = APIRouter(prefix=f"{CONSOLE}/appeals", include_in_schema=False)
LABELS.update(APPEAL_LABELS)  # the words of 申诉中心, 大额审核 and 结算打款, with their screens

READERS = frozenset({Role.MERCHANT, Role.FINANCE, Role.OPERATOR})  # as the API's
DECIDERS = frozenset({Role.FINANCE, Role.OPERATOR})


def appeal_user(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in READERS:
        raise NotAllowed("appeals_roles")
    return found


AppealUser = Annotated[Principal, Depends(appeal_user)]
Text = Annotated[str, Form(max_length=4000)]


@router.get("")
def appeals_page(request: Request, who: AppealUser) -> HTMLResponse:
    return page(request, "appeals.html", _context(request, who, None), who=who)


@router.post("", dependencies=[ConsolePost])
def file_appeal(
    request: Request,
    who: AppealUser,
    key: Annotated[str, Form(min_length=1, max_length=64)],
    statement_id: Annotated[str, Form(min_length=1, max_length=200)],
    line_no: Annotated[str, Form(max_length=9)],
    claimed: Annotated[str, Form(max_length=32)],
    reason: Text,
    evidence: Text = "",
) -> HTMLResponse:
    """The API's filing, from the form: once per form (its key)."""
    if who.role is not Role.MERCHANT:
        raise NotAllowed("appeals_roles")
    notice: tuple[str, str]
    try:
        if not line_no.strip().isdigit():
            raise InvalidRule("line_no", "must be a line number")
        items = tuple(line for line in evidence.splitlines() if line.strip())
        claim = Claim(
            statement_id.strip(),
            int(line_no),
            reason,
            items,
            fen_of_yuan(claimed, "claimed"),
        )
        appeal = backend(request).appeals.file(who.subject, _own(request, who), key, claim)
        notice = ("appeal_filed", appeal.id)
    except DomainError as refused:
        notice = ("appeal_refused", f"{refused.field or ''}: {refused.message}")
    return page(request, "_appeals.html", _context(request, who, notice), who=who)


@router.post("/{appeal_id}/decision", dependencies=[ConsolePost])
def decide_appeal(
    appeal_id: str,
    request: Request,
    who: AppealUser,
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
    amount: Annotated[str, Form(max_length=32)] = "",
    report: Text = "",
) -> HTMLResponse:
    if who.role not in DECIDERS:
        raise NotAllowed("appeals_roles")
    appeals = backend(request).appeals
    notice: tuple[str, str]
    try:
        if decision == "accept":
            fen = fen_of_yuan(amount, "amount")
            done = appeals.accept(appeal_id, who.subject, fen, report)
        else:
            done = appeals.reject(appeal_id, who.subject, report)
        notice = ("appeal_decided", done.id)
    except DomainError as refused:
        notice = ("appeal_refused", f"{refused.field or ''}: {refused.message}")
    return page(request, "_appeals.html", _context(request, who, notice), who=who)


def _own(request: Request, who: Principal) -> frozenset[str] | None:
    if who.role is not Role.MERCHANT:
        return None
    return frozenset(shop.id for shop in backend(request).goods.shops(who.subject))


def _context(request: Request, who: Principal, notice: tuple[str, str] | None) -> dict[str, Any]:
    found = backend(request)
    return {
        "appeals": found.appeals.appeals(_own(request, who)),
        "now": found.clock(),
        "may_file": who.role is Role.MERCHANT,
        "may_decide": who.role in DECIDERS,
        "form_key": uuid.uuid4().hex,  # a retried post of the form files once
        "notice": notice,
    }
