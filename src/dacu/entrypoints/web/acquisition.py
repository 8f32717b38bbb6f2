"""拉新 (acquisition) in the console: per campaign, the welcome red packets issued and
held, invites (top inviters, invitees, tree depth), merchant-code sign-ups per shop,
share rewards; and one member's invite tree. Operators only; it reads what
`GET /v1/campaigns/{id}/acquisition` and `/v1/customers/{id}/invite-tree` answer."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from dacu.bootstrap import Platform
from dacu.domain.access import Role
from dacu.domain.campaigns import Campaign, UnknownCampaign
from dacu.domain.registration import UnknownCustomer
from dacu.entrypoints.web.context import PageMissing, backend
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, NotAllowed, UserDep

router = APIRouter(prefix=f"{CONSOLE}/acquisition", include_in_schema=False)

VIEWERS = frozenset({Role.OPERATOR})
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
OUTCOMES = ("issued", "held", "blocked", "budget_spent", "out_of_stock", "capped", "refused")


@router.get("")
def acquisition_page(
    request: Request,
    who: UserDep,
    campaign: Annotated[str, Query(max_length=64)] = "",
    member: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    if who.role not in VIEWERS:
        raise NotAllowed("acquisition_roles")
    found = backend(request)
    records = found.campaigns.list()
    chosen = campaign or _first_growing(found, [r.id for r in records])
    context: dict[str, Any] = {
        "campaign_ids": [r.id for r in records],
        "chosen": chosen,
        "member": member.strip(),
        "outcomes": OUTCOMES,
        "board": None,
        "tree": None,
        "unknown_member": False,
    }
    if chosen:
        try:
            context["board"] = figures_of(found, found.campaigns.campaign(chosen))
        except UnknownCampaign:
            raise PageMissing(chosen) from None
    if context["member"]:
        try:
            context["tree"] = found.acquisition.tree(context["member"])
        except UnknownCustomer:
            context["unknown_member"] = True
            return page(request, "acquisition.html", context, who=who)
        context["referral"] = found.acquisition.referral(context["member"])
        context["rewards"] = found.acquisition.rewards_of(context["member"])
    return page(request, "acquisition.html", context, who=who)


def figures_of(found: Platform, campaign: Campaign, full: bool = True) -> dict[str, Any]:
    """The campaign's figures as the page (`full`) and the dashboard card show them."""
    since = campaign.span.starts_at or EPOCH
    figures = found.acquisition.figures(campaign.id, since, full)
    outcomes = figures.outcomes
    return {
        "campaign": campaign,
        "figures": figures,
        "welcome": outcomes.get("welcome", {}),
        "invites": outcomes.get("invite", {}),
        "shares": outcomes.get("share", {}),
    }


def _first_growing(found: Platform, campaign_ids: list[str]) -> str:
    """The first live campaign that runs a welcome or invites; else the first there is."""
    for campaign in found.campaigns.live():
        if campaign.growth.welcome is not None or campaign.growth.invites is not None:
            return campaign.id
    return campaign_ids[0] if campaign_ids else ""
