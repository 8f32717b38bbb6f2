"""Flash-sale routes. Buying and "my reservation" are the hot path: with Redis they
read and write Redis only (the token cache included); without, the SQL gate serves.

Refusals keep the error format, with the gate's outcome as the code; rate limits
answer 429 with Retry-After, a sale not yet open is refused (409), never queued.
"""

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from dacu.domain.access import Role
from dacu.domain.flashsale import Decision, Hold, NotYours, Outcome
from dacu.domain.risk import Identity, RiskBlocked
from dacu.entrypoints.api import context
from dacu.entrypoints.api.context import HOT_SECURITY, PlatformDep, PrincipalDep, hot_principal
from dacu.entrypoints.api.identity import DEVICE_PARAMETER, device_of, gate_of
from dacu.entrypoints.api.payments import PaymentOut, payment_out
from dacu.entrypoints.kpi_view import AlertOut
from dacu.schemas.bounds import Moment, aware
from dacu.schemas.flashsales import FlashSaleIn, RequestId
from dacu.services.flash_checkout import FlashPayment
from dacu.services.flash_stock import StockView

router = APIRouter(prefix="/v1", tags=["flash sales"])

_STATUS = {
    Outcome.ACCEPTED: 201,
    Outcome.UNKNOWN_SALE: 404,
    Outcome.USER_RATE_LIMITED: 429,
    Outcome.IP_RATE_LIMITED: 429,
    Outcome.RISK_BLOCKED: 403,
}
_WHY = {
    Outcome.SOLD_OUT: "sold out; ask for a restock reminder (缺货提醒)",
    Outcome.OVER_LIMIT: "that would pass the sale's limit per buyer (限购)",
    Outcome.NOT_STARTED: "the sale has not started; attempts before it are refused, not queued",
    Outcome.ENDED: "the sale has ended",
    Outcome.UNKNOWN_SALE: "no such flash sale",
    Outcome.RELEASED: "this request's hold ran out unpaid; try again with a new request_id",
    Outcome.USER_RATE_LIMITED: "too many attempts from you this second; retry in a second",
    Outcome.IP_RATE_LIMITED: "too many attempts from your address this second",
    Outcome.RISK_BLOCKED: RiskBlocked().message,
    Outcome.REQUEST_TAKEN: "that request_id was used by another buyer",
    Outcome.CAMPAIGN_STATE: "the sale's campaign is paused, ended or not live now",
}


class AttemptIn(BaseModel):
    request_id: RequestId = Field(description="your id for this attempt; a retry reuses it")
    qty: int = Field(1, ge=1, le=100)


class StockOut(BaseModel):
    sale_id: str
    sku: str
    title: str
    stock: int
    on_sale: int
    held: int
    paid: int
    buyers: int
    safety_stock: int
    low: bool
    sold_out: bool
    expected_restock_at: datetime | None


class RestockIn(BaseModel):
    qty: int = Field(ge=1, le=10_000_000)
    expected_at: Moment | None = Field(None, description="when more is expected after this")


class OrderOut(BaseModel):
    sale_id: str
    request_id: str
    reservation: str
    qty: int
    status: str = Field(description="reserved until the order is paid by its provider")
    accepted_at: datetime
    paid_at: datetime | None
    order_id: str = Field(description="the full order: GET /v1/orders/{id}, its funding")
    payable: int = Field(description="fen: the flash price of the units")
    order_status: str
    payment: PaymentOut | None = Field(
        description="pay there; its provider calls back (paid: the payment that paid it)"
    )


@router.post("/flash-sales", response_model=StockOut, status_code=201)
def open_sale(body: FlashSaleIn, backend: PlatformDep, who: PrincipalDep) -> StockOut:
    """Open a flash sale (again: a no-op that never resets live stock)."""
    who.require(Role.OPERATOR)
    backend.flashsales.open(body.to_domain())
    return _stock(backend.flashsales.stock_view(body.id))


@router.get("/flash-sales/{sale_id}/stock", response_model=StockOut)
def stock(sale_id: str, backend: PlatformDep, who: PrincipalDep) -> StockOut:
    """Stock now: on sale, held unpaid, paid, and when more is expected."""
    return _stock(backend.flashsales.stock_view(sale_id))


@router.post("/flash-sales/{sale_id}/restock", response_model=StockOut)
def restock(sale_id: str, body: RestockIn, backend: PlatformDep, who: PrincipalDep) -> StockOut:
    who.require(Role.OPERATOR)
    backend.flashsales.restock(sale_id, body.qty, aware(body.expected_at))
    return _stock(backend.flashsales.stock_view(sale_id))


@router.post(
    "/flash-sales/{sale_id}/attempts",
    status_code=201,
    responses={
        201: {"description": "accepted: units held for you until pay_by"},
        404: {"description": "no such sale"},
        409: {"description": "refused: sold_out, over_limit, not_started, ended, ..."},
        403: {"description": "risk_blocked: the risk check refused the attempt"},
        429: {"description": "user_rate_limited or ip_rate_limited"},
    },
    openapi_extra=HOT_SECURITY
    | {
        "parameters": [DEVICE_PARAMETER],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": AttemptIn.model_json_schema()}},
        },
    },
)
async def attempt(sale_id: str, request: Request) -> Response:
    """抢购: try to buy; the answer is final for this request_id (retries get it again)."""
    who = await hot_principal(request)
    backend = context.backend(request)
    who.require(Role.CONSUMER)
    body = _attempt_in(await request.body())
    ip = request.client.host if request.client else ""
    identity = Identity(device=device_of(request), ip=ip[:64])
    blocked, risk = gate_of(backend).flash.checked(who.subject, identity, sale_id)
    if blocked:
        return _risk_blocked()
    decided = await backend.flashsales.attempt_async(
        sale_id, who.subject, body.request_id, body.qty, backend.clock(), ip, risk
    )
    if decided.outcome is Outcome.RISK_BLOCKED:  # checked in the gate's own step
        return _risk_blocked()
    return _decision(decided, body.request_id)


def _risk_blocked() -> Response:
    """The check's refusal, the same wherever it was made: no detail that helps."""
    refused = RiskBlocked()
    return _json(403, _error(refused.code.value, refused.message))


@router.get("/flash-sales/{sale_id}/attempts/{request_id}", openapi_extra=HOT_SECURITY)
async def my_reservation(sale_id: str, request_id: str, request: Request) -> Response:
    """My reservation: held (pay by pay_by), paid, or released."""
    who = await hot_principal(request)
    mine = await context.backend(request).flashsales.reservation(sale_id, request_id, who.subject)
    if mine is None:
        unknown = NotYours()
        return _json(404, _error(unknown.code.value, unknown.message))
    return _json(200, _hold(*mine))


@router.post("/flash-sales/{sale_id}/attempts/{request_id}/pay", response_model=OrderOut)
def pay(sale_id: str, request_id: str, backend: PlatformDep, who: PrincipalDep) -> OrderOut:
    """Go to pay a held reservation: it becomes a full order, and its payment starts on the
    active channel. It is paid (never released after) only when the provider calls back."""
    who.require(Role.CONSUMER)
    return _order(backend.flashsales.pay(sale_id, request_id, who.subject, backend.clock()))


@router.post("/flash-sales/{sale_id}/reminders", response_model=StockOut, status_code=201)
def remind_me(sale_id: str, backend: PlatformDep, who: PrincipalDep) -> StockOut:
    """缺货提醒: tell me when stock returns (the answer says when it is expected)."""
    who.require(Role.CONSUMER)
    return _stock(backend.flashsales.subscribe(sale_id, who.subject, backend.clock()))


@router.get("/me/notifications")
def my_notifications(backend: PlatformDep, who: PrincipalDep) -> list[dict[str, object]]:
    return backend.flashsales.inbox(who.subject)


@router.get("/alerts", response_model=list[AlertOut])
def alerts(
    backend: PlatformDep,
    who: PrincipalDep,
    standing: Annotated[bool, Query(description="only alerts not yet cleared")] = False,
) -> list[AlertOut]:
    """Operators' alerts: 安全阈值 stock warnings, sold-out sales."""
    who.require(Role.OPERATOR, Role.RISK, Role.SERVICE)
    return [
        AlertOut.model_validate(a, from_attributes=True)
        for a in backend.alerts.alerts(standing=standing)
    ]


def _attempt_in(raw: bytes) -> AttemptIn:
    """The body, read by hand: FastAPI's generic body handling costs the hot path a third."""
    try:
        return AttemptIn.model_validate_json(raw)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


def _decision(decided: Decision, request_id: str) -> Response:
    status = _STATUS.get(decided.outcome, 409)
    if decided.accepted:
        held = {"outcome": "accepted", "request_id": request_id, "reservation": decided.reservation}
        return _json(status, held)
    body = _error(decided.outcome.value, _WHY[decided.outcome]) | {"outcome": decided.outcome}
    headers = {"Retry-After": "1"} if status == 429 else None
    return _json(status, body, headers)


def _error(code: str, message: str) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "field": None}}


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(content, status, headers, media_type="application/json")


def _hold(hold: Hold, pay_by: datetime) -> dict[str, object]:
    return {
        "request_id": hold.request_id,
        "reservation": hold.reservation,
        "qty": hold.qty,
        "state": hold.state.value,
        "accepted_at": hold.accepted_at.isoformat(),
        "pay_by": pay_by.isoformat(),
    }


def _stock(view: StockView) -> StockOut:
    sale = view.sale
    return StockOut(
        sale_id=sale.id,
        sku=sale.sku,
        title=sale.title,
        stock=sale.stock,
        on_sale=view.on_sale,
        held=view.held,
        paid=view.paid,
        buyers=view.buyers,
        safety_stock=sale.safety_stock,
        low=view.low,
        sold_out=view.sold_out,
        expected_restock_at=view.expected_restock_at,
    )


def _order(paying: FlashPayment) -> OrderOut:
    held, order = paying.flash, paying.order
    return OrderOut(
        sale_id=held.sale_id,
        request_id=held.request_id,
        reservation=held.entry,
        qty=held.qty,
        status=held.status,
        accepted_at=held.accepted_at,
        paid_at=held.paid_at,
        order_id=order.id,
        payable=order.payable,
        order_status=order.status.value,
        payment=None if paying.payment is None else payment_out(paying.payment),
    )
