"""Payment routes: start a payment, the provider's signed callback, the two channels.

A consumer starts the payment of their own order and is told its id, channel
and amount; the order becomes paid only when the channel's provider calls
back `POST /v1/payments/callback/{channel}` with a body signed by
HMAC-SHA256 (`X-Dacu-Timestamp`, `X-Dacu-Signature` over `<timestamp>.<body>`).
Operators see the channels and switch new payments between them, audited.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from dacu.domain.access import Principal, Role
from dacu.domain.orders import UnknownOrder
from dacu.domain.payments import BadSignature, Payment, UnknownPayment
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep, backend
from dacu.schemas.bounds import PRINTABLE, Id, Note
from dacu.services.ports.payments import SignedCallback

router = APIRouter(tags=["payments"])

STAFF = (Role.OPERATOR, Role.FINANCE, Role.SERVICE, Role.RISK)


class PaymentOut(BaseModel):
    id: str
    order_id: str
    channel: str = Field(description="the provider's channel: pay there, it calls back")
    amount: int = Field(description="fen: the order's payable, exactly")
    status: str
    transaction_id: str | None
    refunded: int
    created_at: datetime
    paid_at: datetime | None


class ChannelsOut(BaseModel):
    primary: str
    backup: str
    active: str
    errors: dict[str, int]
    failover_errors: int
    window_seconds: int


class SwitchIn(BaseModel):
    channel: Id
    reason: Note = ""


class SwitchOut(ChannelsOut):
    switched: bool


@router.post("/v1/orders/{order_id}/payments", response_model=PaymentOut, status_code=201)
def start_payment(order_id: str, backend: PlatformDep, who: PrincipalDep) -> PaymentOut:
    """Pay for your order: the payment on the active channel, whose provider calls back."""
    who.require(Role.CONSUMER)
    return payment_out(backend.payments.start(order_id, who.subject))


@router.post("/v1/payments/callback/{channel}", response_model=PaymentOut)
async def provider_callback(
    channel: str,
    request: Request,
    timestamp: Annotated[
        str, Header(alias="X-Dacu-Timestamp", max_length=16, pattern=PRINTABLE)
    ] = "",
    signature: Annotated[
        str, Header(alias="X-Dacu-Signature", max_length=128, pattern=PRINTABLE)
    ] = "",
) -> PaymentOut:
    """The provider says a payment succeeded or failed; signed, fresh and new, or refused."""
    if not timestamp or not signature:
        raise BadSignature("send X-Dacu-Timestamp and X-Dacu-Signature")
    body = await request.body()
    told = SignedCallback(channel[:32], timestamp, signature, body)
    return payment_out(await run_in_threadpool(backend(request).payments.callback, told))


@router.get("/v1/payments/channels", response_model=ChannelsOut)
def channels(backend: PlatformDep, who: PrincipalDep) -> ChannelsOut:
    """Which channel new payments go to, and each channel's failures in this window."""
    who.require(*STAFF)
    return ChannelsOut(**_view(backend))


@router.post("/v1/payments/channels/active", response_model=SwitchOut)
def switch_channel(body: SwitchIn, backend: PlatformDep, who: PrincipalDep) -> SwitchOut:
    """Send new payments to another channel by hand: audited, and an alert is raised."""
    who.require(Role.OPERATOR)
    moved = backend.payments.channels.switch(
        body.channel, who.subject, body.reason or "by hand", backend.clock()
    )
    return SwitchOut(switched=moved, **_view(backend))


@router.get("/v1/payments/{payment_id}", response_model=PaymentOut)
def get_payment(payment_id: str, backend: PlatformDep, who: PrincipalDep) -> PaymentOut:
    return payment_out(_readable(backend, who, payment_id))


@router.get("/v1/orders/{order_id}/payments", response_model=list[PaymentOut])
def order_payments(order_id: str, backend: PlatformDep, who: PrincipalDep) -> list[PaymentOut]:
    """The order's payments, oldest first."""
    order = backend.orders.get(order_id)
    if who.role is Role.CONSUMER:
        if order.customer_id != who.subject:
            raise UnknownOrder(order_id)  # someone else's is not shown to exist
    else:
        who.require(*STAFF)
    return [payment_out(p) for p in backend.payments.of_order(order_id)]


def _readable(backend: PlatformDep, who: Principal, payment_id: str) -> Payment:
    payment = backend.payments.get(payment_id)
    if who.role is Role.CONSUMER:
        if payment.customer_id != who.subject:
            raise UnknownPayment(payment_id)  # someone else's is not shown to exist
        return payment
    who.require(*STAFF)
    return payment


def _view(backend: PlatformDep) -> dict[str, object]:
    view = backend.payments.channels.view(backend.clock())
    return {
        "primary": view.primary,
        "backup": view.backup,
        "active": view.active,
        "errors": dict(view.errors),
        "failover_errors": view.failover_errors,
        "window_seconds": view.window_seconds,
    }


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        order_id=payment.order_id,
        channel=payment.channel,
        amount=payment.amount,
        status=payment.status.value,
        transaction_id=payment.transaction_id,
        refunded=payment.refunded,
        created_at=payment.created_at,
        paid_at=payment.paid_at,
    )
