"""广告消耗与违规处罚: per campaign, the main-venue ad spend operators and finance record
(each with the rebate the server computed, within the cap) and the penalties operators
and risk record, which operators may withdraw. Every figure is `ChargeService`'s, the
same the API serves; money is typed in yuan and kept in fen."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Principal, Role
from dacu.domain.errors import DomainError, InvalidRule
from dacu.domain.penalties import PenaltyKind
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import PageMissing, backend
from dacu.entrypoints.web.i18n_shipping import SHIPPING_LABELS
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, signed_in
from dacu.schemas.goods import fen_of_yuan

assert SHIPPING_LABELS  # the screen's words, in the console's LABELS
router = APIRouter(prefix=f"{CONSOLE}/charges", include_in_schema=False)
READERS = frozenset({Role.OPERATOR, Role.FINANCE, Role.RISK})
SPENDERS = frozenset({Role.OPERATOR, Role.FINANCE})  # as the API's
PENALIZERS = frozenset({Role.OPERATOR, Role.RISK})
Text = Annotated[str, Form(max_length=64)]
Long = Annotated[str, Form(max_length=500)]


def _who(
    request: Request, roles: frozenset[Role] = READERS, refusal: str = "charges_roles"
) -> Principal:
    found = signed_in(request)
    if found.role not in roles:
        raise NotAllowed(refusal)
    return found


@router.get("")
def charges_page(
    request: Request, campaign: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    who = _who(request)
    ids = [c[0] for c in backend(request).campaigns.ids()]
    if campaign and campaign not in ids:
        raise PageMissing(campaign)
    chosen = campaign or (ids[-1] if ids else None)
    context = {"campaign_ids": ids, **_context(request, who, chosen, None)}
    return page(request, "charges.html", context, who=who)


@router.post("/{campaign_id}/ad-spend", dependencies=[ConsolePost])
def record_spend(
    campaign_id: str, request: Request, shop: Text, amount: Text, reference: Text
) -> HTMLResponse:
    who = _who(request, SPENDERS, "ad_finance_only")

    def act() -> str:
        found, _ = backend(request).charges.record_spend(
            campaign_id, shop, _fen(amount), reference, who.subject
        )
        return f"{found.reference} → {formats.fen(found.rebate)}"

    return _acted(request, who, campaign_id, "ad_recorded", act)


@router.post("/{campaign_id}/penalties", dependencies=[ConsolePost])
def penalize(
    campaign_id: str,
    request: Request,
    shop: Text,
    kind: Text,
    amount: Text,
    reason: Long,
    key: Annotated[str, Form(max_length=128)],
    evidence: Annotated[str, Form(max_length=4000)] = "",
) -> HTMLResponse:
    who = _who(request, PENALIZERS, "pen_risk_only")

    def act() -> str:
        if kind not in {k.value for k in PenaltyKind}:
            raise InvalidRule("kind", f"{kind} is not a kind of violation")
        found, _ = backend(request).charges.penalize(
            campaign_id, shop, PenaltyKind(kind), _fen(amount), reason, evidence,
            who.subject, key,
        )  # fmt: skip
        return found.id

    return _acted(request, who, campaign_id, "pen_recorded", act)


@router.post("/{campaign_id}/penalties/{penalty_id}/withdraw", dependencies=[ConsolePost])
def withdraw(campaign_id: str, penalty_id: str, request: Request, reason: Long) -> HTMLResponse:
    who = _who(request, frozenset({Role.OPERATOR}), "pen_risk_only")
    act = lambda: backend(request).charges.withdraw(penalty_id, who.subject, reason).id  # noqa: E731
    return _acted(request, who, campaign_id, "pen_withdrawn", act)


def _fen(amount: str) -> int:
    try:
        found = fen_of_yuan(amount)
    except ValueError as error:
        raise InvalidRule("amount", str(error)) from None
    if found <= 0:
        raise InvalidRule("amount", "must be more than 0")
    return found


def _acted(request: Request, who: Principal, campaign_id: str, done: str, act: Any) -> HTMLResponse:
    try:
        notice = (done, act())
    except DomainError as refused:
        notice = ("charge_refused", f"{refused.field or ''}: {refused.message}")
    context = _context(request, who, campaign_id, notice)
    return page(request, "_charges.html", context, who=who)


def _context(request: Request, who: Principal, chosen: str | None, notice: Any) -> dict[str, Any]:
    found = backend(request)
    policy = None if chosen is None else found.campaigns.get(chosen).settlement.ad_rebate
    return {
        "chosen": chosen,
        "policy": policy,
        "spends": [] if chosen is None else found.charges.spends(chosen),
        "penalties": [] if chosen is None else found.charges.penalties(chosen),
        "shops": [shop.id for shop in found.goods.shops()],
        "kinds": [k.value for k in PenaltyKind],
        "may_spend": who.role in SPENDERS,
        "may_penalize": who.role in PENALIZERS,
        "may_withdraw": who.role is Role.OPERATOR,
        "notice": notice,
        "new_key": lambda: uuid.uuid4().hex,
        "fen": formats.fen,
        "bp": formats.bp,
    }
