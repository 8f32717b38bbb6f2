"""Merchant charge routes: main-venue ad spend and its rebate (广告费返现, operators and
finance record it), and violation penalties (违规罚款, operators and risk record them;
operators withdraw). The server computes every rebate; merchants read their own."""

from collections.abc import Collection
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.penalties import MAX_EVIDENCE, MAX_REASON, AdSpend, Penalty, PenaltyKind
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.api.shipments import IdempotencyKey, own_shops
from dacu.schemas.bounds import PRINTABLE, Id
from dacu.schemas.promotions import In

router = APIRouter(tags=["charges"])
READERS = (Role.OPERATOR, Role.FINANCE, Role.RISK, Role.MERCHANT)
Money = Annotated[int, Field(ge=1, le=10**12, description="fen (分), 100 = ¥1.00")]
ShopQuery = Annotated[Id | None, Query(description="one shop only")]


class AdSpendIn(In):
    shop: Id
    amount: Money = Field(description="fen the shop spent on main-venue ads")
    reference: Id = Field(description="the ad bill or voucher: recorded once per reference")


class AdSpendOut(BaseModel):
    key: str
    campaign_id: str
    shop: str
    reference: str
    spend: int = Field(description="fen")
    rebate: int = Field(description="fen returned: spend × rate, within the cap")
    recorded_by: str
    at: datetime


class PenaltyIn(In):
    shop: Id
    kind: Literal["brushing", "false_shipment", "late_shipment", "other"] = Field(
        description="brushing 刷单, false_shipment 虚假发货, late_shipment 延迟发货, other 其他"
    )
    amount: Money
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=PRINTABLE)
    evidence: str = Field(
        "", max_length=MAX_EVIDENCE, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    )


class WithdrawIn(In):
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=PRINTABLE)


class PenaltyOut(BaseModel):
    id: str
    campaign_id: str
    shop: str
    kind: str
    amount: int = Field(description="fen")
    reason: str
    evidence: str
    recorded_by: str
    at: datetime
    status: str
    withdrawn_by: str
    withdrawn_at: datetime | None
    withdraw_reason: str


def spend_out(r: AdSpend) -> AdSpendOut:
    return AdSpendOut(
        key=r.key,
        campaign_id=r.campaign_id,
        shop=r.shop,
        reference=r.reference,
        spend=r.spend,
        rebate=r.rebate,
        recorded_by=r.recorded_by,
        at=r.at,
    )


def penalty_out(p: Penalty) -> PenaltyOut:
    return PenaltyOut(
        id=p.id,
        campaign_id=p.campaign_id,
        shop=p.shop,
        kind=p.kind.value,
        amount=p.amount,
        reason=p.reason,
        evidence=p.evidence,
        recorded_by=p.recorded_by,
        at=p.at,
        status=p.status.value,
        withdrawn_by=p.withdrawn_by,
        withdrawn_at=p.withdrawn_at,
        withdraw_reason=p.withdraw_reason,
    )


def _shops(backend: Platform, who: Principal, shop: str | None) -> Collection[str] | None:
    who.require(*READERS)
    mine = own_shops(backend, who)
    if shop is None:
        return mine
    return [shop] if mine is None or shop in mine else []


@router.post("/v1/campaigns/{campaign_id}/ad-spend", response_model=AdSpendOut, status_code=201)
def record_ad_spend(
    campaign_id: Id, body: AdSpendIn, response: Response, backend: PlatformDep, who: PrincipalDep
) -> AdSpendOut:
    """Record a shop's main-venue ad spend; its rebate is posted once per reference (200
    when the reference was recorded already with the same amount)."""
    who.require(Role.OPERATOR, Role.FINANCE)
    found, created = backend.charges.record_spend(
        campaign_id, body.shop, body.amount, body.reference, who.subject
    )
    if not created:
        response.status_code = 200
    return spend_out(found)


@router.get("/v1/campaigns/{campaign_id}/ad-spend", response_model=list[AdSpendOut])
def ad_spend(
    campaign_id: Id, backend: PlatformDep, who: PrincipalDep, shop: ShopQuery = None
) -> list[AdSpendOut]:
    """The campaign's ad spend records, newest first (merchants: their own shops)."""
    shops = _shops(backend, who, shop)
    return [spend_out(r) for r in backend.charges.spends(campaign_id, shops)]


@router.post("/v1/campaigns/{campaign_id}/penalties", response_model=PenaltyOut, status_code=201)
def penalize(
    campaign_id: Id,
    body: PenaltyIn,
    key: IdempotencyKey,
    response: Response,
    backend: PlatformDep,
    who: PrincipalDep,
) -> PenaltyOut:
    """Record a violation's penalty (retried with the same key: the same penalty, 200)."""
    who.require(Role.OPERATOR, Role.RISK)
    found, created = backend.charges.penalize(
        campaign_id, body.shop, PenaltyKind(body.kind), body.amount, body.reason, body.evidence,
        who.subject, key,
    )  # fmt: skip
    if not created:
        response.status_code = 200
    return penalty_out(found)


@router.get("/v1/campaigns/{campaign_id}/penalties", response_model=list[PenaltyOut])
def penalties(
    campaign_id: Id, backend: PlatformDep, who: PrincipalDep, shop: ShopQuery = None
) -> list[PenaltyOut]:
    """The campaign's penalties, newest first (merchants: their own shops)."""
    shops = _shops(backend, who, shop)
    return [penalty_out(p) for p in backend.charges.penalties(campaign_id, shops)]


@router.get("/v1/penalties/{penalty_id}", response_model=PenaltyOut)
def penalty(penalty_id: Id, backend: PlatformDep, who: PrincipalDep) -> PenaltyOut:
    who.require(*READERS)
    return penalty_out(backend.charges.penalty(penalty_id, own_shops(backend, who)))


@router.post("/v1/penalties/{penalty_id}/withdraw", response_model=PenaltyOut)
def withdraw(
    penalty_id: Id, body: WithdrawIn, backend: PlatformDep, who: PrincipalDep
) -> PenaltyOut:
    """Withdraw the penalty (operators): a reversal entry is posted, the change audited."""
    who.require(Role.OPERATOR)
    return penalty_out(backend.charges.withdraw(penalty_id, who.subject, body.reason))
