"""Shipment routes (发货): a merchant records that an order's lines at its shop left
with a carrier, and that they arrived; operators may mark arrivals too. The
server decides whether a shipment was late and what subsidy it earned.
A merchant sees only its own shops (someone else's is the same 404 as none)."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.shipments import Shipment
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import PRINTABLE, Id
from dacu.schemas.promotions import In

router = APIRouter(tags=["shipments"])
READERS = (Role.OPERATOR, Role.FINANCE, Role.RISK, Role.MERCHANT)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=PRINTABLE,
        description="the same key records once",
    ),
]


class ShipmentIn(In):
    carrier: Id = Field(description="the carrier's code, e.g. sf-express")
    waybill: Id = Field(description="the carrier's waybill number (运单号)")
    shop: Id | None = Field(None, description="which of your shops, when the order has several")


class ShipmentOut(BaseModel):
    id: str
    order_id: str
    shop: str
    carrier: str
    waybill: str
    size_classes: list[str] = Field(description="of the SKUs shipped, from the catalog")
    paid_at: datetime
    shipped_at: datetime
    due_at: datetime = Field(description="paid_at + promise_hours")
    promise_hours: int
    late: bool
    campaign_id: str = Field(description="whose logistics policy applies; '' for none")
    status: str
    delivered_at: datetime | None
    subsidy: int = Field(description="fen of logistics subsidy posted on delivery")


def shipment_out(s: Shipment) -> ShipmentOut:
    return ShipmentOut(
        id=s.id,
        order_id=s.order_id,
        shop=s.shop,
        carrier=s.carrier,
        waybill=s.waybill,
        size_classes=list(s.size_classes),
        paid_at=s.paid_at,
        shipped_at=s.shipped_at,
        due_at=s.paid_at + timedelta(hours=s.promise_hours),
        promise_hours=s.promise_hours,
        late=s.late,
        campaign_id=s.campaign_id,
        status=s.status.value,
        delivered_at=s.delivered_at,
        subsidy=s.subsidy,
    )


def own_shops(backend: Platform, who: Principal) -> set[str] | None:
    """A merchant's shops; None for the roles that see every shop."""
    if who.role is not Role.MERCHANT:
        return None
    return {shop.id for shop in backend.goods.shops(who.subject)}


@router.post("/v1/orders/{order_id}/shipments", response_model=ShipmentOut, status_code=201)
def ship(
    order_id: Id,
    body: ShipmentIn,
    key: IdempotencyKey,
    response: Response,
    backend: PlatformDep,
    who: PrincipalDep,
) -> ShipmentOut:
    """Record that the order's lines at your shop were shipped (merchants, their own lines).
    Retried with the same key, the same shipment comes back (200)."""
    who.require(Role.MERCHANT)
    shops = own_shops(backend, who) or set()
    found, created = backend.shipments.ship(
        order_id, shops, body.carrier, body.waybill, who.subject, key, body.shop
    )
    if not created:
        response.status_code = 200
    return shipment_out(found)


@router.post("/v1/shipments/{shipment_id}/delivered", response_model=ShipmentOut)
def delivered(shipment_id: Id, backend: PlatformDep, who: PrincipalDep) -> ShipmentOut:
    """Mark the shipment delivered (签收): its logistics subsidy, if earned, is posted once."""
    who.require(Role.MERCHANT, Role.OPERATOR)
    return shipment_out(backend.shipments.deliver(shipment_id, own_shops(backend, who)))


@router.get("/v1/shipments/{shipment_id}", response_model=ShipmentOut)
def get_shipment(shipment_id: Id, backend: PlatformDep, who: PrincipalDep) -> ShipmentOut:
    who.require(*READERS)
    return shipment_out(backend.shipments.get(shipment_id, own_shops(backend, who)))


@router.get("/v1/shops/{shop_id}/shipments", response_model=list[ShipmentOut])
def shop_shipments(
    shop_id: str,
    backend: PlatformDep,
    who: PrincipalDep,
    late: Annotated[bool | None, Query(description="only the late (true) or on-time")] = None,
) -> list[ShipmentOut]:
    """The shop's shipments, newest first (merchants: their own shops)."""
    who.require(*READERS)
    merchant = who.subject if who.role is Role.MERCHANT else None
    backend.goods.visible_shop(shop_id, merchant)
    return [shipment_out(s) for s in backend.shipments.of_shop(shop_id, late)]
