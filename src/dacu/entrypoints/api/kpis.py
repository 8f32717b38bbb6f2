"""Events in, KPIs out: batches from storefronts and apps (what only they see; the server
writes its own through the outbox); the live dashboard's figures, and how far the
stream's writers are behind."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from dacu.domain.access import Role
from dacu.entrypoints.api import context
from dacu.entrypoints.api.context import HOT_SECURITY, PlatformDep, PrincipalDep, hot_principal
from dacu.entrypoints.kpi_view import DashboardOut, LagOut, dashboard_json, lag_json
from dacu.schemas.events import EventBatch
from dacu.services import kpis

router = APIRouter(prefix="/v1", tags=["events and KPIs"])
READERS = (Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE)


class IngestedOut(BaseModel):
    accepted: int
    duplicates: int | None = None  # None: queued, not folded yet
    entry: str | None = None  # the stream's id for the batch, when queued


@router.post(
    "/events",
    response_model=IngestedOut,
    response_model_exclude_none=True,  # recorded: accepted and duplicates; queued: the entry
    responses={
        200: {"description": "recorded (no event stream): accepted and duplicates counted"},
        202: {"description": "kept durably on the event stream; folded by the writers"},
        503: {"description": "events_unavailable: the stream could not keep it; send again"},
    },
    openapi_extra=HOT_SECURITY
    | {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EventBatch.model_json_schema()}},
        }
    },
)
async def post_events(request: Request, response: Response) -> IngestedOut:
    """Take in up to 1,000 storefront events (views, carts, shares, logins, client errors).
    With an event stream the answer is 202 once the batch is durable, and the writers fold
    it (an id taken in already counts once); without, it is recorded at once and ids
    already taken in count as duplicates. Registrations, claims, orders, payments and
    refunds are the server's own: such a kind is a 422 naming it."""
    who = await hot_principal(request)
    who.require(Role.STOREFRONT, Role.OPERATOR)
    backend = context.backend(request)
    raw = await request.body()
    batch = _batch_in(raw)  # every field checked in one pass, no per-event objects of ours
    intake = backend.events
    assert intake is not None  # wired by bootstrap
    taken = await run_in_threadpool(
        intake.take_storefront, batch.events, backend.clock(), raw, batch.to_domain
    )
    if taken.entry is not None:
        response.status_code = 202
    return IngestedOut(accepted=taken.accepted, duplicates=taken.duplicates, entry=taken.entry)


@router.get("/events/lag", response_model=LagOut)
def events_lag(backend: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """How far the writers are behind: batches and events on the stream not yet folded,
    those taken and not done, the oldest's age, and the outbox's facts not delivered."""
    who.require(*READERS)
    return lag_json(backend.events, backend.outbox().pending(), backend.clock())


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


def _batch_in(raw: bytes) -> EventBatch:
    """The body, read by hand: FastAPI's generic body handling costs the hot path most."""
    try:
        return EventBatch.model_validate_json(raw)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None
