"""发货管理: a merchant's paid orders to ship, shipping them with a carrier and waybill,
marking them delivered, with the 48-hour promise's late flags and the logistics
subsidy each earned. Operators see every shop and may mark deliveries. Every
fact is the service's (`ShipmentService`), the same the API serves."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.errors import DomainError
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import backend
from dacu.entrypoints.web.i18n_shipping import SHIPPING_LABELS
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import SHIPMENTS, ConsolePost, NotAllowed, signed_in

assert SHIPPING_LABELS  # the screen's words, in the console's LABELS
router = APIRouter(prefix=SHIPMENTS, include_in_schema=False)
READERS = frozenset({Role.MERCHANT, Role.OPERATOR})
Text = Annotated[str, Form(max_length=64)]


def _who(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in READERS:
        raise NotAllowed("ship_roles")
    return found


@router.get("")
def shipments_page(request: Request) -> HTMLResponse:
    who = _who(request)
    return page(request, "shipments.html", _context(request, who, None), who=who)


@router.post("/ship", dependencies=[ConsolePost])
def ship(
    request: Request,
    order_id: Text,
    shop: Text,
    key: Annotated[str, Form(max_length=128)],
    carrier: Text = "",
    waybill: Text = "",
) -> HTMLResponse:
    who = _who(request)
    if who.role is not Role.MERCHANT:
        raise NotAllowed("ship_merchants_only")
    found = backend(request)

    def act() -> str:
        made, _ = found.shipments.ship(
            order_id, _shops(found, who), carrier, waybill, who.subject, key, shop
        )
        return made.id

    return _acted(request, who, "ship_done", act)


@router.post("/{shipment_id}/delivered", dependencies=[ConsolePost])
def delivered(shipment_id: str, request: Request) -> HTMLResponse:
    who = _who(request)
    found = backend(request)
    own = _shops(found, who) if who.role is Role.MERCHANT else None
    return _acted(
        request, who, "ship_delivered_done", lambda: found.shipments.deliver(shipment_id, own).id
    )


def _acted(request: Request, who: Principal, done: str, act: Any) -> HTMLResponse:
    try:
        notice = (done, act())
    except DomainError as refused:
        notice = ("ship_refused", f"{refused.field or ''}: {refused.message}")
    return page(request, "_shipments.html", _context(request, who, notice), who=who)


def _shops(found: Platform, who: Principal) -> set[str]:
    if who.role is Role.MERCHANT:
        return {shop.id for shop in found.goods.shops(who.subject)}
    return {shop.id for shop in found.goods.shops()}


def _context(request: Request, who: Principal, notice: Any) -> dict[str, Any]:
    found = backend(request)
    rows = found.shipments.to_ship(_shops(found, who))
    _, policy = found.shipments.policy_at(found.clock())
    now = found.clock()
    due = found.shipments.due_times([row.paid_at for row in rows])
    return {
        "rows": [
            (row, d, row.shipment is None and now > d) for row, d in zip(rows, due, strict=True)
        ],
        "carriers": policy.carriers if policy else (),
        "may_ship": who.role is Role.MERCHANT,
        "notice": notice,
        "new_key": lambda: uuid.uuid4().hex,
        "fen": formats.fen,
    }
