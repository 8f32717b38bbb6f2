"""The lottery page (抽奖): the pool with stock left, prizes drawn, the budget line's burn,
realised frequencies beside the weights, and pausing the campaign that runs it; and the
dashboard's lottery card."""

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from dacu.domain.access import Role
from dacu.domain.campaigns import CampaignStateError
from dacu.domain.lottery import LotteryClosed, Prize
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import PageMissing, backend, campaign_of
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, UserDep
from dacu.services.lottery import LotteryService

router = APIRouter(prefix=f"{CONSOLE}/campaigns", include_in_schema=False)

PAUSERS = frozenset({Role.OPERATOR})


@dataclass(frozen=True, slots=True)
class PrizeRow:
    prize: Prize
    given: int
    left: int | None  # None: never runs out
    weight_bp: int  # its weight's share of the whole pool
    realised_bp: int  # its share of the draws so far


def _service(request: Request) -> LotteryService:
    found = backend(request).lottery
    if found is None:
        raise PageMissing("lottery")
    return found


def _context(request: Request, campaign_id: str) -> dict[str, Any]:
    found = backend(request)
    campaign = campaign_of(found, campaign_id)
    service = _service(request)
    try:
        lottery = service.lottery(campaign_id)
    except LotteryClosed:
        raise PageMissing(f"{campaign_id}: lottery") from None
    figures = service.figures(campaign_id)
    total_weight = sum(p.weight for p in lottery.prizes)
    rows = [
        PrizeRow(
            p,
            figures.given.get(p.id, 0),
            None if p.stock is None else p.stock - figures.given.get(p.id, 0),
            p.weight * 10_000 // total_weight,
            figures.given.get(p.id, 0) * 10_000 // figures.draws if figures.draws else 0,
        )
        for p in lottery.prizes
    ]
    budget = lottery.budget
    return {
        "campaign": campaign,
        "lottery": lottery,
        "figures": figures,
        "rows": rows,
        "given": figures.draws - figures.given.get(_nothing_id(lottery.prizes), 0),
        "burn_bp": figures.budget_drawn * 10_000 // budget if budget else 0,
        "open": found.campaigns.is_open(campaign_id, found.clock()),
        "status": found.campaigns.summary(campaign_id).status.value,
        "fen": formats.fen,
        "bp": formats.bp,
    }


def _nothing_id(prizes: tuple[Prize, ...]) -> str:
    return next((p.id for p in prizes if p.reward.kind.value == "nothing"), "")


@router.get("/{campaign_id}/lottery")
def lottery_page(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    context = {**_context(request, campaign_id), "may_pause": who.role in PAUSERS}
    return page(request, "lottery.html", context, who=who)


@router.get("/{campaign_id}/lottery/card")
def lottery_card(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    """The dashboard's card: draws today, prizes given, the budget line's burn."""
    try:
        context = _context(request, campaign_id)
    except PageMissing:
        return HTMLResponse("")  # a campaign without a lottery shows no card
    return page(request, "_lottery_card.html", context, who=who)


@router.post("/{campaign_id}/lottery/{move}", dependencies=[ConsolePost])
def pause_or_resume(campaign_id: str, move: str, request: Request, who: UserDep) -> Response:
    """Pause (or resume) the campaign, and with it the lottery's grants and draws."""
    if who.role not in PAUSERS:
        raise NotAllowed("pause_roles")
    found = backend(request)
    campaign_of(found, campaign_id)
    act = {"pause": found.campaigns.pause, "resume": found.campaigns.resume}.get(move)
    if act is None:
        raise PageMissing(move)
    with suppress(CampaignStateError):  # already so: the page shows the state as it is
        act(campaign_id, who.subject, found.clock())
    return Response(headers={"HX-Redirect": f"{CONSOLE}/campaigns/{campaign_id}/lottery"})
