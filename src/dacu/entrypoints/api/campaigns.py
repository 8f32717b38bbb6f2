"""Campaign routes: read for every staff role; apply, pause and kill for operators."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel

from dacu.domain.access import Role
from dacu.domain.campaigns import Status
from dacu.domain.errors import InvalidRule
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.campaigns import load_campaign

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])
STAFF = (Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE)


class CampaignSummary(BaseModel):
    id: str
    theme: str
    status: str
    version: int


class Applied(BaseModel):
    id: str
    version: int


class StatusIn(BaseModel):
    status: Literal["draft", "live", "paused", "ended"]


class KillIn(BaseModel):
    killed: bool = True


@router.get("", response_model=list[CampaignSummary])
def list_campaigns(backend: PlatformDep, who: PrincipalDep) -> list[CampaignSummary]:
    who.require(*STAFF)
    return [
        CampaignSummary(id=i, theme=t, status=s, version=v)
        for i, t, s, v in backend.campaigns.ids()
    ]


@router.get("/{campaign_id}")
def get_campaign(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """The campaign file as it stands (the same document `dacu campaign export` writes)."""
    who.require(*STAFF)
    return backend.campaigns.document(campaign_id)


@router.put("/{campaign_id}", response_model=Applied)
def put_campaign(
    campaign_id: str,
    document: Annotated[dict[str, Any], Body(description="a campaign file, as JSON")],
    backend: PlatformDep,
    who: PrincipalDep,
) -> Applied:
    """Apply a campaign file; sending the same file again changes nothing."""
    who.require(Role.OPERATOR)
    normalised, campaign = load_campaign(document)
    if campaign.id != campaign_id:
        raise InvalidRule("id", f"the file is for {campaign.id}, not {campaign_id}")
    store = backend.campaigns
    if campaign_id in {i for i, *_ in store.ids()} and store.document(campaign_id) == normalised:
        return Applied(id=campaign_id, version=store.version(campaign_id))
    version = store.apply(normalised, campaign, who.subject, backend.clock())
    return Applied(id=campaign_id, version=version)


@router.post("/{campaign_id}/status", response_model=CampaignSummary)
def set_status(
    campaign_id: str, body: StatusIn, backend: PlatformDep, who: PrincipalDep
) -> CampaignSummary:
    """Go live, pause, resume or end a campaign at once."""
    who.require(Role.OPERATOR)
    backend.campaigns.set_status(campaign_id, Status(body.status), who.subject, backend.clock())
    return _summary(backend, campaign_id)


@router.post("/{campaign_id}/promotions/{promotion_id}/kill", response_model=CampaignSummary)
def kill_promotion(
    campaign_id: str, promotion_id: str, body: KillIn, backend: PlatformDep, who: PrincipalDep
) -> CampaignSummary:
    """The kill switch: one promotion off (or back on), effective on the next quote."""
    who.require(Role.OPERATOR, Role.RISK)
    try:
        backend.campaigns.kill(campaign_id, promotion_id, who.subject, backend.clock(), body.killed)
    except KeyError:
        raise InvalidRule(
            "promotion_id", f"{campaign_id} has no promotion {promotion_id}"
        ) from None
    return _summary(backend, campaign_id)


def _summary(backend: PlatformDep, campaign_id: str) -> CampaignSummary:
    for i, t, s, v in backend.campaigns.ids():
        if i == campaign_id:
            return CampaignSummary(id=i, theme=t, status=s, version=v)
    raise AssertionError("the campaign was just changed")
