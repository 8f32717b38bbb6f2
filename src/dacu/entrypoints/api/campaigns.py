"""Campaign routes: read for every staff role; apply, pause and kill for operators."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel

from dacu.domain.access import Role
from dacu.domain.campaigns import CampaignStatus
from dacu.domain.errors import InvalidRule
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.campaigns import load_campaign
from dacu.services.ports.campaigns import CampaignRecord

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
    return [_summary(found) for found in backend.campaigns.list()]


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
    applied = backend.campaigns.apply(
        normalised, campaign, who.subject, backend.clock(), if_changed=True
    )
    return Applied(id=campaign_id, version=applied.version)


@router.post("/{campaign_id}/status", response_model=CampaignSummary)
def set_status(
    campaign_id: str, body: StatusIn, backend: PlatformDep, who: PrincipalDep
) -> CampaignSummary:
    """Go live, pause, resume or end a campaign at once (409 campaign_state if it may not)."""
    who.require(Role.OPERATOR)
    status = CampaignStatus(body.status)
    return _summary(backend.campaigns.set_status(campaign_id, status, who.subject, backend.clock()))


@router.post("/{campaign_id}/promotions/{promotion_id}/kill", response_model=CampaignSummary)
def kill_promotion(
    campaign_id: str, promotion_id: str, body: KillIn, backend: PlatformDep, who: PrincipalDep
) -> CampaignSummary:
    """The kill switch: one promotion off (or back on), effective on the next quote."""
    who.require(Role.OPERATOR, Role.RISK)
    changed = backend.campaigns.kill(
        campaign_id, promotion_id, who.subject, backend.clock(), body.killed
    )
    return _summary(changed)


def _summary(found: CampaignRecord) -> CampaignSummary:
    return CampaignSummary(
        id=found.id, theme=found.theme, status=found.status.value, version=found.version
    )
