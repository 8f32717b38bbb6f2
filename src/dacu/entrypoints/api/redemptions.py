"""Coin redemption routes (赚币换购): the catalog, and redeeming coins for an item."""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.api.identity import DeviceId, identity_of
from dacu.schemas.bounds import PRINTABLE, Id
from dacu.schemas.carts import Strict

router = APIRouter(prefix="/v1", tags=["redemptions"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=PRINTABLE,
        description="the same key redeems once and answers the same redemption",
    ),
]


class RedeemIn(Strict):
    """An item and a quantity: the coins, the value and the stock are the server's."""

    item: Id
    qty: int = Field(1, ge=1, le=10)


class RedeemedOut(BaseModel):
    id: str
    campaign_id: str
    item: str
    qty: int
    coins: int
    rewards: list[str]
    held: bool


class ItemOut(BaseModel):
    id: str
    name: str
    coins: int
    kind: str
    value: int
    in_stock: bool
    left: int
    per_customer: int | None


class CatalogOut(BaseModel):
    campaign_id: str
    items: list[ItemOut]


@router.get("/campaigns/{campaign_id}/redemptions/catalog", response_model=CatalogOut)
def catalog(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> CatalogOut:
    """What coins buy in this campaign: each item's price in coins and whether it is in
    stock."""
    found = backend.redemptions.catalog(campaign_id)
    items = [
        ItemOut(
            id=e.item.id,
            name=e.item.name,
            coins=e.item.coins,
            kind=e.item.reward.kind.value,
            value=e.item.reward.value,
            in_stock=e.in_stock,
            left=e.left,
            per_customer=e.item.per_customer,
        )
        for e in found.items
    ]
    return CatalogOut(campaign_id=campaign_id, items=items)


@router.post("/campaigns/{campaign_id}/redemptions", response_model=RedeemedOut, status_code=201)
def redeem(
    campaign_id: str,
    body: RedeemIn,
    key: IdempotencyKey,
    backend: PlatformDep,
    who: PrincipalDep,
    request: Request,
    device: DeviceId = None,
) -> RedeemedOut:
    """Spend your coins on an item (once per Idempotency-Key)."""
    who.require(Role.CONSUMER)
    identity = identity_of(request, who, backend)
    done = backend.redemptions.redeem(campaign_id, who.subject, body.item, body.qty, key, identity)
    return RedeemedOut(
        id=done.id,
        campaign_id=done.campaign_id,
        item=done.item_id,
        qty=done.qty,
        coins=done.coins,
        rewards=list(done.rewards),
        held=done.held,
    )
