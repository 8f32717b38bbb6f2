"""Coupon routes: consumers claim (idempotently) and see their wallet; staff see counts."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import BaseModel

from dacu.domain.access import Role
from dacu.domain.coupons import Claimant, ClaimedCoupon
from dacu.entrypoints.api.context import BackendDep, PrincipalDep
from dacu.services.coupons import claim_coupon

router = APIRouter(prefix="/v1", tags=["coupons"])


class ClaimIn(BaseModel):
    first_order: bool = False
    member_tier: str | None = None


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
        description="the same key returns the same coupon; one claim per key",
    ),
]


@router.post("/coupon-templates/{template_id}/claims", response_model=CouponOut, status_code=201)
def claim(
    template_id: str,
    body: ClaimIn,
    key: IdempotencyKey,
    backend: BackendDep,
    who: PrincipalDep,
) -> CouponOut:
    """Claim one coupon of a template for yourself (领券)."""
    who.require(Role.CONSUMER)
    claimant = Claimant(who.subject, body.first_order, body.member_tier)
    coupon = claim_coupon(
        backend.coupons, template_id, claimant, key, backend.clock(), lambda: uuid.uuid4().hex
    )
    return _out(coupon)


@router.get("/coupon-templates/{template_id}/counts", response_model=CountsOut)
def counts(template_id: str, backend: BackendDep, who: PrincipalDep) -> CountsOut:
    """Live claim counts of a template."""
    who.require(Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE)
    found = backend.coupons.counts(template_id)
    return CountsOut(total_stock=found.total_stock, issued=found.issued, left=found.left)


@router.get("/me/wallet", response_model=list[CouponOut])
def my_wallet(backend: BackendDep, who: PrincipalDep) -> list[CouponOut]:
    """The coupons and red packets you hold."""
    who.require(Role.CONSUMER)
    return [_out(coupon) for coupon in backend.coupons.wallet(who.subject)]


def _out(coupon: ClaimedCoupon) -> CouponOut:
    return CouponOut(
        id=coupon.id,
        template_id=coupon.template_id,
        customer_id=coupon.customer_id,
        claimed_at=coupon.claimed_at,
        expires_at=coupon.expires_at,
        status=coupon.status,
    )
