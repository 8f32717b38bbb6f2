"""A campaign's promotions and their kill switch (活动规则错误 → 立即停用)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from dacu.domain.campaigns import Campaign, UnknownCampaign, UnknownPromotion
from dacu.entrypoints.web.context import PageMissing, backend, campaign_of
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, KILLERS, ConsolePost, NotAllowed, UserDep

router = APIRouter(prefix=f"{CONSOLE}/campaigns", include_in_schema=False)


@router.get("/{campaign_id}/promotions")
def promotions_page(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    found = backend(request)
    campaign = campaign_of(found, campaign_id)
    context = {"campaign": campaign, "rows": _rows(campaign, found.clock()), "notice": None}
    return page(request, "promotions.html", context, who=who)


@router.post("/{campaign_id}/promotions/{promotion_id}/kill", dependencies=[ConsolePost])
def kill_switch(
    campaign_id: str,
    promotion_id: str,
    killed: Annotated[bool, Form()],
    request: Request,
    who: UserDep,
) -> HTMLResponse:
    """The API's kill switch, from the console: the same service call, audited the same way."""
    if who.role not in KILLERS:
        raise NotAllowed("kill_roles")
    found = backend(request)
    try:
        found.campaigns.kill(campaign_id, promotion_id, who.subject, found.clock(), killed)
    except UnknownCampaign:
        raise PageMissing(campaign_id) from None
    except UnknownPromotion:
        raise PageMissing(promotion_id) from None
    campaign = campaign_of(found, campaign_id)
    context = {
        "campaign": campaign,
        "rows": _rows(campaign, found.clock()),
        "notice": ("killed_now" if killed else "revived_now", promotion_id),
    }
    return page(request, "_promotions.html", context, who=who)


def _rows(campaign: Campaign, now: datetime) -> list[dict[str, Any]]:
    pricing = {promotion.id for promotion in campaign.live_promotions(now)}
    rows = []
    for held in campaign.promotions:
        promotion = held.promotion
        if held.killed:
            state = "killed"
        elif promotion.id in pricing and promotion.live_at(now):
            state = "active"
        else:
            state = "idle"
        rows.append(
            {
                "id": promotion.id,
                "kind": promotion.kind.value,
                "level": promotion.level.value,
                "shop": promotion.shop,
                "phase": held.phase.value if held.phase else None,
                "window": promotion.window,
                "killed": held.killed,
                "state": state,
            }
        )
    return rows
