"""Merchant rebate routes (商家返利): a shop's totals and lines per campaign, and its
statement as CSV or XLSX. A merchant sees only its own shops (someone else's is
the same 404 as none); operators and finance see every shop."""

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.campaigns import UnknownCampaign
from dacu.domain.rebates import Accrual, ShopTotals
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.rebate_statement import statement_csv, statement_xlsx
from dacu.schemas.bounds import Id

router = APIRouter(tags=["rebates"])
READERS = (Role.OPERATOR, Role.FINANCE, Role.MERCHANT)
SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CampaignQuery = Annotated[Id, Query(description="the campaign whose rebates")]


class TotalsOut(BaseModel):
    shop: str
    campaign_id: str
    new_member: int = Field(description="fen owed for new members (accrued or settled)")
    first_order: int = Field(description="fen owed for first orders (accrued or settled)")
    owed: int = Field(description="fen: new_member + first_order")
    settled: int = Field(description="fen of `owed` already settled")
    held: int = Field(description="fen held for a risk review")
    unfunded: int = Field(description="fen not owed: the budget line was spent")
    refused: int = Field(description="fen not owed: refused by the risk check")
    reversed: int = Field(description="fen not owed: the first order was refunded whole")
    lines: int


class LineOut(BaseModel):
    key: str
    kind: str
    shop: str
    campaign_id: str
    customer_id: str
    order_id: str
    order_amount: int = Field(description="fen the order paid at the shop")
    amount: int = Field(description="fen")
    status: str
    reason: str
    at: datetime


class StatementOut(BaseModel):
    totals: TotalsOut
    lines: list[LineOut]


def totals_out(found: ShopTotals) -> TotalsOut:
    return TotalsOut(
        shop=found.shop,
        campaign_id=found.campaign_id,
        new_member=found.new_member,
        first_order=found.first_order,
        owed=found.owed,
        settled=found.settled,
        held=found.held,
        unfunded=found.unfunded,
        refused=found.refused,
        reversed=found.reversed,
        lines=found.lines,
    )


def _line(line: Accrual) -> LineOut:
    return LineOut(
        key=line.key,
        kind=line.kind.value,
        shop=line.shop,
        campaign_id=line.campaign_id,
        customer_id=line.customer_id,
        order_id=line.order_id,
        order_amount=line.order_amount,
        amount=line.amount,
        status=line.status.value,
        reason=line.reason,
        at=line.at,
    )


def visible_statement(
    backend: Platform, who: Principal, shop_id: str, campaign_id: str
) -> tuple[ShopTotals, list[Accrual]]:
    """The shop's statement, if the caller may see the shop and the campaign runs merchant
    codes (UnknownShop / UnknownCampaign otherwise)."""
    who.require(*READERS)
    merchant = who.subject if who.role is Role.MERCHANT else None
    backend.goods.visible_shop(shop_id, merchant)
    if campaign_id not in backend.rebates.campaigns():
        raise UnknownCampaign(campaign_id)
    return backend.rebates.statement(campaign_id, shop_id)


@router.get("/v1/shops/{shop_id}/rebates", response_model=StatementOut)
def shop_rebates(
    shop_id: str, campaign: CampaignQuery, backend: PlatformDep, who: PrincipalDep
) -> StatementOut:
    """The shop's rebate totals in the campaign and every line, oldest first."""
    totals, lines = visible_statement(backend, who, shop_id, campaign)
    return StatementOut(totals=totals_out(totals), lines=[_line(line) for line in lines])


@router.get("/v1/shops/{shop_id}/rebates/statement.csv")
async def statement_as_csv(
    shop_id: str, campaign: CampaignQuery, backend: PlatformDep, who: PrincipalDep
) -> Response:
    """The statement as CSV (UTF-8 with a BOM), money in yuan to the fen."""
    totals, lines = await run_in_threadpool(visible_statement, backend, who, shop_id, campaign)
    body = statement_csv(totals, lines, SHANGHAI)
    return Response(body, media_type="text/csv; charset=utf-8", headers=_named(totals, "csv"))


@router.get("/v1/shops/{shop_id}/rebates/statement.xlsx")
async def statement_as_xlsx(
    shop_id: str, campaign: CampaignQuery, backend: PlatformDep, who: PrincipalDep
) -> Response:
    """The statement as a workbook: the lines, and the totals on a sheet of their own."""
    totals, lines = await run_in_threadpool(visible_statement, backend, who, shop_id, campaign)
    body = await run_in_threadpool(statement_xlsx, totals, lines, SHANGHAI)
    return Response(body, media_type=XLSX, headers=_named(totals, "xlsx"))


@router.get("/v1/campaigns/{campaign_id}/rebates", response_model=list[TotalsOut])
def campaign_rebates(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> list[TotalsOut]:
    """Each shop's totals in the campaign; a merchant's own shops only."""
    who.require(*READERS)
    if campaign_id not in backend.rebates.campaigns():
        raise UnknownCampaign(campaign_id)
    shops = None
    if who.role is Role.MERCHANT:
        shops = [shop.id for shop in backend.goods.shops(who.subject)]
    return [totals_out(found) for found in backend.rebates.shops(campaign_id, shops)]


def _named(totals: ShopTotals, extension: str) -> dict[str, str]:
    name = f"rebates-{totals.campaign_id}-{totals.shop}.{extension}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return {"Content-Disposition": f'attachment; filename="{safe}"'}
