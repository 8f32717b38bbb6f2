"""Coupon routes: consumers claim (idempotently) and see their wallet; staff see counts."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field

from dacu.domain.access import Principal, Role
from dacu.domain.coupons import Claimant, ClaimedCoupon
from dacu.domain.errors import InvalidRule
from dacu.domain.rules import Window
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.api.identity import DeviceId, gate_of, identity_of
from dacu.schemas.bounds import PRINTABLE, Id, Moment
from dacu.schemas.carts import Strict

router = APIRouter(prefix="/v1", tags=["coupons"])


class ClaimIn(Strict):
    """Nothing to say: who the customer is (new? a member?) is the server's to know."""


class CouponOut(BaseModel):
    id: str
    template_id: str
    customer_id: str
    claimed_at: datetime
    expires_at: datetime
    status: str


class CountsOut(BaseModel):
    total_stock: int
    issued: int
    left: int


IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=PRINTABLE,
        description="the same key returns the same coupon; one claim per key",
    ),
]


@router.post("/coupon-templates/{template_id}/claims", response_model=CouponOut, status_code=201)
def claim(
    template_id: str,
    body: ClaimIn,
    key: IdempotencyKey,
    backend: PlatformDep,
    who: PrincipalDep,
    request: Request,
    device: DeviceId = None,
) -> CouponOut:
    """Claim one coupon of a template for yourself (领券). The risk check is asked first:
    a claim it blocks or holds for review is refused (403 risk_blocked)."""
    who.require(Role.CONSUMER)
    _screen(backend, who, request, template_id)
    claimant = _claimant(backend, who.subject)
    return _out(backend.coupons.claim(template_id, claimant, key))


@router.get("/coupon-templates/{template_id}/counts", response_model=CountsOut)
def counts(template_id: str, backend: PlatformDep, who: PrincipalDep) -> CountsOut:
    """Live claim counts of a template."""
    who.require(Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE)
    found = backend.coupons.counts(template_id)
    return CountsOut(total_stock=found.total_stock, issued=found.issued, left=found.left)


@router.get("/me/wallet", response_model=list[CouponOut])
def my_wallet(backend: PlatformDep, who: PrincipalDep) -> list[CouponOut]:
    """The coupons and red packets you hold."""
    who.require(Role.CONSUMER)
    return [_out(coupon) for coupon in backend.coupons.wallet(who.subject)]


class CodeIn(BaseModel):
    code: Id
    max_uses: int = Field(ge=1, le=10**9)
    starts_at: Moment | None = None
    ends_at: Moment | None = None


class GrantIn(BaseModel):
    batch: Id
    customers: list[Id] = Field(min_length=1, max_length=10000)


@router.post("/coupon-templates/{template_id}/codes", status_code=201)
def add_code(template_id: str, body: CodeIn, backend: PlatformDep, who: PrincipalDep) -> CodeIn:
    """An activity code (活动码) that claims this template's coupon, `max_uses` times."""
    who.require(Role.OPERATOR)
    backend.coupons.template(template_id)  # an unknown template is a 404 before any 422
    for name, moment in (("starts_at", body.starts_at), ("ends_at", body.ends_at)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRule(name, "needs a time zone offset")
    window = Window(body.starts_at, body.ends_at)
    backend.coupons.add_code(body.code, template_id, body.max_uses, window)
    return body


@router.post("/codes/{code}/claims", response_model=CouponOut, status_code=201)
def claim_code(
    code: str,
    body: ClaimIn,
    backend: PlatformDep,
    who: PrincipalDep,
    request: Request,
    device: DeviceId = None,
) -> CouponOut:
    """Claim with an activity code; once per customer, however often it is sent. The
    risk check is asked first, as for a claim."""
    who.require(Role.CONSUMER)
    _screen(backend, who, request, f"code:{code[:64]}")
    claimant = _claimant(backend, who.subject)
    return _out(backend.coupons.claim_with_code(code, claimant))


@router.post("/coupon-templates/{template_id}/grants")
def grant_coupons(
    template_id: str, body: GrantIn, backend: PlatformDep, who: PrincipalDep
) -> dict[str, str]:
    """Bulk grant (定向发券): one each, as far as stock goes; the same batch never twice."""
    who.require(Role.OPERATOR)
    return backend.coupons.grant(template_id, body.customers, body.batch)


def _out(coupon: ClaimedCoupon) -> CouponOut:
    return CouponOut(
        id=coupon.id,
        template_id=coupon.template_id,
        customer_id=coupon.customer_id,
        claimed_at=coupon.claimed_at,
        expires_at=coupon.expires_at,
        status=coupon.status.value,
    )


def _claimant(backend: PlatformDep, customer_id: str) -> Claimant:
    facts = backend.customers.facts(customer_id)
    return Claimant(customer_id, facts.first_order, facts.member_tier)


def _screen(backend: PlatformDep, who: Principal, request: Request, subject: str) -> None:
    value = 0
    if not subject.startswith("code:"):
        template = backend.coupons.template(subject)
        value = template.off or template.max_off or 0
    identity = identity_of(request, who, backend)
    gate_of(backend).claim(who.subject, subject, identity, value)
