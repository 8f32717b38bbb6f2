"""Order routes: checkout with an Idempotency-Key, pay, cancel, refund, funding."""

from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field

from dacu.domain.access import Principal, Role
from dacu.domain.orders import Order, UnknownOrder
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.api.identity import DeviceId, gate_of, identity_of
from dacu.schemas.bounds import PRINTABLE, Id, Note, Qty
from dacu.schemas.carts import SkuCartIn, Strict
from dacu.schemas.delivery import AddressIn

router = APIRouter(prefix="/v1/orders", tags=["orders"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=PRINTABLE,
        description="the same key and body return the same result; another body is a 409",
    ),
]


class CheckoutIn(Strict):
    cart: SkuCartIn
    address: AddressIn | None = Field(None, description="where to ship: kept on the order")


class ShareOut(BaseModel):
    id: str
    amount: int
    platform: int
    merchant: int


class OrderLineOut(BaseModel):
    sku: str
    shop: str
    qty: int
    list_amount: int
    payable: int
    discounts: list[ShareOut]


class OrderOut(BaseModel):
    id: str
    customer_id: str
    status: str
    payable: int
    coupons: list[str]
    lines: list[OrderLineOut]
    refunded: dict[str, int]
    created_at: datetime
    pay_by: datetime


class MarkPaidIn(BaseModel):
    reason: Note = ""


class RefundIn(Strict):
    """Which units come back: a qty of "1", 1.0 or true is refused, not read as 1."""

    sku: Id
    qty: Qty


class RefundOut(BaseModel):
    sku: str
    qty: int
    amount: int
    clawbacks: list[ShareOut]


class FundingOut(BaseModel):
    platform: int
    merchants: dict[str, int]


@router.post("", response_model=OrderOut, status_code=201)
def place_order(
    body: CheckoutIn,
    key: IdempotencyKey,
    backend: PlatformDep,
    who: PrincipalDep,
    request: Request,
    device: DeviceId = None,
) -> OrderOut:
    """Check out a cart of SKUs at the best legal price now; stock and coupons are held
    for you. Prices and who you are come from the server, never from the body. The risk
    check is asked first (403 risk_blocked); an order under review goes through and the
    platform-funded rewards it earns are held."""
    who.require(Role.CONSUMER)
    address = body.address.address() if body.address is not None else None
    identity = identity_of(request, who, backend)
    if address is not None:
        identity = replace(identity, address=address.normalised())
    gate = gate_of(backend)
    cart = backend.goods.cart(body.cart.wanted(), body.cart.mode)
    decision = gate.checkout(who.subject, identity, key, (line.shop for line in cart.lines))
    customer = backend.customers.facts(who.subject)
    order = backend.orders.checkout(cart, customer, key)
    gate.placed(order.id, who.subject, identity, decision, address)
    return _out(order)


@router.get("/{order_id}", response_model=OrderOut)
def get_order(order_id: str, backend: PlatformDep, who: PrincipalDep) -> OrderOut:
    return _out(_readable(backend, who, order_id))


@router.post("/{order_id}/pay", response_model=OrderOut)
def pay(
    order_id: str, backend: PlatformDep, who: PrincipalDep, body: MarkPaidIn | None = None
) -> OrderOut:
    """Finance marks an order paid by hand (money taken outside the payment channels),
    audited. Customers pay with `POST /v1/orders/{id}/payments`; the provider's signed
    callback then marks the order paid."""
    who.require(Role.FINANCE)
    reason = body.reason if body is not None and body.reason else "marked paid by finance"
    return _out(backend.payments.mark_paid(order_id, who.subject, reason))


@router.post("/{order_id}/cancel", response_model=OrderOut)
def cancel(order_id: str, backend: PlatformDep, who: PrincipalDep) -> OrderOut:
    """Cancel an unpaid order: stock and coupons come back at once."""
    _own(backend, who, order_id)
    return _out(backend.orders.cancel(order_id))


@router.post("/{order_id}/refunds", response_model=RefundOut, status_code=201)
def refund(
    order_id: str,
    body: RefundIn,
    key: IdempotencyKey,
    backend: PlatformDep,
    who: PrincipalDep,
    request: Request,
    device: DeviceId = None,
) -> RefundOut:
    """Refund units of one line through the payment's provider (once per key); each
    discount's share is clawed back from its funders. The risk check is asked first:
    blocked, 403 risk_blocked; under review, 409 risk_held and no money moves until a
    person releases it (then it is refunded without another request)."""
    service = who.role is Role.SERVICE
    order = backend.orders.get(order_id) if service else _own(backend, who, order_id)
    identity = identity_of(request, who, backend)
    if backend.payments.refundable(order_id, body.sku, body.qty, key):  # new: ask the risk
        gate_of(backend).refund(order_id, order.customer_id, body.sku, body.qty, key, identity)
    done = backend.payments.refund(order_id, body.sku, body.qty, key)
    return RefundOut(
        sku=done.sku,
        qty=done.qty,
        amount=done.amount,
        clawbacks=[ShareOut(**_share(s)) for s in done.clawbacks],
    )


@router.get("/{order_id}/funding", response_model=FundingOut)
def funding(order_id: str, backend: PlatformDep, who: PrincipalDep) -> FundingOut:
    """Who funds the order's discounts now, net of refunds (platform and each merchant)."""
    who.require(Role.FINANCE, Role.OPERATOR, Role.SERVICE)
    backend.orders.get(order_id)
    return FundingOut(**backend.orders.funding(order_id))


def _own(backend: PlatformDep, who: Principal, order_id: str) -> Order:
    who.require(Role.CONSUMER)
    order = backend.orders.get(order_id)
    if order.customer_id != who.subject:  # answered as an order that does not exist
        raise UnknownOrder(order_id)
    return order


def _readable(backend: PlatformDep, who: Principal, order_id: str) -> Order:
    if who.role is Role.CONSUMER:
        return _own(backend, who, order_id)
    who.require(Role.OPERATOR, Role.FINANCE, Role.SERVICE, Role.RISK)
    return backend.orders.get(order_id)


def _share(share: object) -> dict[str, object]:
    return {k: getattr(share, k) for k in ("id", "amount", "platform", "merchant")}


def _out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.id,
        customer_id=order.customer_id,
        status=order.status.value,
        payable=order.payable,
        coupons=list(order.coupons),
        lines=[
            OrderLineOut(
                sku=line.sku,
                shop=line.shop,
                qty=line.qty,
                list_amount=line.list_amount,
                payable=line.payable,
                discounts=[ShareOut(**_share(d)) for d in line.discounts],
            )
            for line in order.lines
        ],
        refunded=dict(order.refunded),
        created_at=order.created_at,
        pay_by=order.pay_by,
    )
