"""Events in, KPIs out: batches from storefronts and apps (what only they see; the server
writes its own through the outbox); the live dashboard's figures."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from dacu.domain.access import Role
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.kpi_view import DashboardOut, dashboard_json
from dacu.schemas.events import EventBatch
from dacu.services import kpis

router = APIRouter(prefix="/v1", tags=["events and KPIs"])
READERS = (Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE)


class IngestedOut(BaseModel):
    accepted: int
    duplicates: int


@router.post("/events", response_model=IngestedOut)
def post_events(batch: EventBatch, backend: PlatformDep, who: PrincipalDep) -> IngestedOut:
    """Take in up to 1,000 storefront events (views, carts, shares, logins, client errors);
    ids already taken in count as duplicates, not again. Registrations, claims, orders,
    payments and refunds are the server's own: such a kind is a 422 naming it."""
    who.require(Role.STOREFRONT, Role.OPERATOR)
    done = kpis.ingest_storefront(
        backend.kpis, backend.campaigns, backend.alerts, batch.to_domain(), backend.clock()
    )
    return IngestedOut(accepted=done.accepted, duplicates=done.duplicates)


@router.get("/campaigns/{campaign_id}/kpis", response_model=DashboardOut)
def campaign_kpis(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """UV, PV, funnel, GMV, orders, 客单价, refunds, coupons, channels, new/returning,
    hourly series, top SKUs, 达成率 and alerts — read from the hourly rollups only."""
    who.require(*READERS)
    now = backend.clock()
    campaign = backend.campaigns.campaign(campaign_id)
    board = kpis.dashboard(backend.kpis, backend.alerts, campaign, now)
    assert now.tzinfo is not None  # the clock is aware
    return dashboard_json(board, now.tzinfo)
