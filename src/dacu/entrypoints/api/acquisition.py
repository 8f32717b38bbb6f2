"""Acquisition routes (拉新): my invite code and invitees, a member's invite tree for
operators, a shop's merchant code, share links (分享得券) and a campaign's figures.

Codes are given at sign-in (`POST /v1/customers/sessions`: `invite_code`,
`merchant_code`, `share`); the rewards that follow are the server's to decide.
"""

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.domain.acquisition import Share, ShareTarget
from dacu.domain.errors import InvalidRule
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import Id
from dacu.schemas.carts import Strict
from dacu.services.acquisition import TreeNode

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
router = APIRouter(prefix="/v1", tags=["acquisition"])


class InviteOut(BaseModel):
    code: str
    link: str
    invitees: int


class InviteeOut(BaseModel):
    customer_id: str
    at: datetime


class TreeOut(BaseModel):
    customer_id: str
    at: datetime | None  # when they were invited (None: nobody invited them)
    invitees: list["TreeOut"]


class MerchantCodeOut(BaseModel):
    shop_id: str
    code: str


class ShareIn(Strict):
    sku: Id | None = Field(None, description="share a SKU …")
    venue: Id | None = Field(None, description="… or a venue (会场)")


class ShareOut(BaseModel):
    token: str
    link: str
    target: str
    target_id: str
    day: str
    opens: int


class FiguresOut(BaseModel):
    campaign_id: str
    new_verified: int
    welcome: dict[str, int]
    invites: dict[str, int]
    shares: dict[str, int]
    invitees: int
    depth: int
    top_inviters: list[tuple[str, int]]
    merchant_signups: list[tuple[str, int]]


@router.get("/customers/me/invite", response_model=InviteOut)
def my_invite(backend: PlatformDep, who: PrincipalDep) -> InviteOut:
    """My invite code (stable), its share link and how many members I invited."""
    who.require(Role.CONSUMER)
    card = backend.acquisition.invite(who.subject)
    return InviteOut(code=card.code, link=card.link, invitees=card.invitees)


@router.get("/customers/me/invitees", response_model=list[InviteeOut])
def my_invitees(backend: PlatformDep, who: PrincipalDep) -> list[InviteeOut]:
    """The members I invited, newest first."""
    who.require(Role.CONSUMER)
    found = backend.acquisition.invitees(who.subject)
    return [InviteeOut(customer_id=r.customer_id, at=r.at) for r in found]


@router.get("/customers/{customer_id}/invite-tree", response_model=TreeOut)
def invite_tree(customer_id: Id, backend: PlatformDep, who: PrincipalDep) -> TreeOut:
    """A member's invite tree, three levels down (operators, for the risk checks)."""
    who.require(Role.OPERATOR)
    return _tree(backend.acquisition.tree(customer_id))


@router.get("/shops/{shop_id}/code", response_model=MerchantCodeOut)
def merchant_code(shop_id: Id, backend: PlatformDep, who: PrincipalDep) -> MerchantCodeOut:
    """The shop's merchant code (商家码), for its merchant or operators; made on first ask."""
    who.require(Role.MERCHANT, Role.OPERATOR)
    merchant = who.subject if who.role is Role.MERCHANT else None
    shop = backend.goods.visible_shop(shop_id, merchant)
    return MerchantCodeOut(shop_id=shop.id, code=backend.acquisition.merchant_code(shop.id))


@router.post("/shares", status_code=201, response_model=ShareOut)
def share(body: ShareIn, backend: PlatformDep, who: PrincipalDep) -> ShareOut:
    """A share link to a SKU or venue: the same one all day for the same target."""
    who.require(Role.CONSUMER)
    if (body.sku is None) == (body.venue is None):
        raise InvalidRule("sku", "share one SKU or one venue")
    if body.sku is not None:
        backend.goods.sku(body.sku)  # an unknown SKU is a 404 naming it
        made = backend.acquisition.share(who.subject, ShareTarget.SKU, body.sku)
    else:
        made = backend.acquisition.share(who.subject, ShareTarget.VENUE, body.venue or "")
    return _share(made, backend.acquisition.share_base)


@router.get("/shares/{token}", response_model=ShareOut)
def open_share(token: str, backend: PlatformDep) -> ShareOut:
    """A friend opened a share link (no sign-in): counted, and what it points to."""
    found = backend.acquisition.open_share(token)
    return _share(found, backend.acquisition.share_base)


@router.get("/campaigns/{campaign_id}/acquisition", response_model=FiguresOut)
def figures(campaign_id: Id, backend: PlatformDep, who: PrincipalDep) -> FiguresOut:
    """A campaign's 拉新 figures (operators): rewards by outcome, invites, merchant codes."""
    who.require(Role.OPERATOR)
    campaign = backend.campaigns.campaign(campaign_id)
    found = backend.acquisition.figures(campaign_id, campaign.span.starts_at or EPOCH)
    return FiguresOut(
        campaign_id=campaign_id,
        new_verified=found.verified,
        welcome=found.outcomes.get("welcome", {}),
        invites=found.outcomes.get("invite", {}),
        shares=found.outcomes.get("share", {}),
        invitees=found.invitees,
        depth=found.depth,
        top_inviters=found.top_inviters,
        merchant_signups=found.merchant_signups,
    )


def _tree(node: TreeNode) -> TreeOut:
    return TreeOut(
        customer_id=node.customer_id, at=node.at, invitees=[_tree(n) for n in node.invitees]
    )


def _share(found: Share, base: str) -> ShareOut:
    return ShareOut(
        token=found.token,
        link=f"{base}{found.token}",
        target=found.target.value,
        target_id=found.target_id,
        day=found.day,
        opens=found.opens,
    )
