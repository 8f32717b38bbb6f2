"""商家返利: each shop's rebates per campaign, its lines, and its statement to download.

Operators and finance see every shop; a merchant sees its own shops only (another's is
a 404, as the API's). Every figure is the service's (`RebateService`), the same the
API serves; the statements are the API's files.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, Response

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.campaigns import UnknownCampaign
from dacu.domain.goods import UnknownShop
from dacu.entrypoints.rebate_statement import statement_csv, statement_xlsx
from dacu.entrypoints.web.context import PageMissing, backend, zone_of
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, NotAllowed, signed_in

router = APIRouter(prefix=f"{CONSOLE}/rebates", include_in_schema=False)

READERS = frozenset({Role.OPERATOR, Role.FINANCE, Role.MERCHANT})  # as the API's
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN = 1000  # lines on the page; the statement holds them all

CampaignParam = Annotated[str | None, Query(max_length=64)]


def rebate_reader(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in READERS:
        raise NotAllowed("rebates_roles")
    return found


ReaderDep = Annotated[Principal, Depends(rebate_reader)]


@router.get("")
def rebates_page(request: Request, who: ReaderDep, campaign: CampaignParam = None) -> HTMLResponse:
    found = backend(request)
    campaigns = found.rebates.campaigns()
    chosen = campaign if campaign in campaigns else (campaigns[-1] if campaigns else None)
    if campaign and campaign not in campaigns:
        raise PageMissing(campaign)
    shops = None if chosen is None else found.rebates.shops(chosen, _own_shops(found, who))
    burn = None if chosen is None or who.role is Role.MERCHANT else found.rebates.burn(chosen)
    context = {"campaigns": campaigns, "chosen": chosen, "shops": shops, "burn": burn}
    return page(request, "rebates.html", context, who=who)


@router.get("/{shop_id}")
def shop_page(
    shop_id: str, request: Request, who: ReaderDep, campaign: CampaignParam = None
) -> HTMLResponse:
    totals, lines = _statement(request, who, shop_id, campaign)
    context = {"totals": totals, "lines": lines[:SHOWN], "more": len(lines) > SHOWN}
    return page(request, "rebates_shop.html", context, who=who)


@router.get("/{shop_id}/statement.csv")
def statement_as_csv(
    shop_id: str, request: Request, who: ReaderDep, campaign: CampaignParam = None
) -> Response:
    totals, lines = _statement(request, who, shop_id, campaign)
    body = statement_csv(totals, lines, zone_of(backend(request)))
    return Response(body, media_type="text/csv; charset=utf-8", headers=_named(totals, "csv"))


@router.get("/{shop_id}/statement.xlsx")
def statement_as_xlsx(
    shop_id: str, request: Request, who: ReaderDep, campaign: CampaignParam = None
) -> Response:
    totals, lines = _statement(request, who, shop_id, campaign)
    body = statement_xlsx(totals, lines, zone_of(backend(request)))
    return Response(body, media_type=XLSX, headers=_named(totals, "xlsx"))


def dashboard_card(found: Platform, campaign_id: str) -> dict[str, int] | None:
    """The dashboard's rebate card: owed to shops, and the merchant-code line's burn."""
    if campaign_id not in found.rebates.campaigns():
        return None
    owed, drawn, budget = found.rebates.burn(campaign_id)
    used_bp = drawn * 10_000 // budget if budget > 0 else 0
    return {"owed": owed, "drawn": drawn, "budget": budget, "used_bp": used_bp}


def _own_shops(found: Platform, who: Principal) -> list[str] | None:
    if who.role is not Role.MERCHANT:
        return None
    return [shop.id for shop in found.goods.shops(who.subject)]


def _statement(request: Request, who: Principal, shop_id: str, campaign: str | None) -> Any:
    found = backend(request)
    merchant = who.subject if who.role is Role.MERCHANT else None
    try:
        found.goods.visible_shop(shop_id, merchant)
    except UnknownShop:
        raise PageMissing(shop_id) from None
    if not campaign or campaign not in found.rebates.campaigns():
        raise PageMissing(campaign or "campaign")
    try:
        return found.rebates.statement(campaign, shop_id)
    except UnknownCampaign:
        raise PageMissing(campaign) from None


def _named(totals: Any, extension: str) -> dict[str, str]:
    name = f"rebates-{totals.campaign_id}-{totals.shop}.{extension}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return {"Content-Disposition": f'attachment; filename="{safe}"'}
