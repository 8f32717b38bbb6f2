"""A campaign's coins (智慧币) for operators and finance: outstanding coins and their
liability, what they drew from the coins line, earned by reason, and sign-ins and task
completion per day — the very figures `GET /v1/campaigns/{id}/coins` returns."""

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Role
from dacu.domain.campaigns import CampaignStateError
from dacu.domain.coins_rules import CoinFigures
from dacu.entrypoints.web import formats
from dacu.entrypoints.web.context import backend, campaign_of
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, NotAllowed, UserDep

if TYPE_CHECKING:
    from dacu.bootstrap import Platform

router = APIRouter(prefix=f"{CONSOLE}/campaigns", include_in_schema=False)

READERS = frozenset({Role.OPERATOR, Role.FINANCE})  # as the API's coins route


@router.get("/{campaign_id}/coins")
def coins_page(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    if who.role not in READERS:
        raise NotAllowed("coins_roles")
    found = backend(request)
    campaign = campaign_of(found, campaign_id)
    figures = coins_card(found, campaign_id)
    return page(request, "coins.html", {"campaign": campaign, **_tables(figures)}, who=who)


def coins_card(found: "Platform", campaign_id: str) -> CoinFigures | None:
    """The campaign's coins (None: it gives none): the dashboard's card reads this too."""
    try:
        return found.coin_rewards.figures(campaign_id)
    except CampaignStateError:
        return None


def _tables(figures: CoinFigures | None) -> dict[str, Any]:
    if figures is None:
        return {"figures": None, "task_ids": [], "days": [], "fen": formats.fen}
    task_ids = sorted({task for _, task, _ in figures.tasks})
    days: dict[str, dict[str, int]] = {}
    for day, n in figures.sign_ins:
        days.setdefault(day, {})["@signed"] = n
    for day, task, n in figures.tasks:
        days.setdefault(day, {})[task] = n
    for day, n in figures.all_done:
        days.setdefault(day, {})["@all"] = n
    return {
        "figures": figures,
        "task_ids": task_ids,
        "days": sorted(days.items(), reverse=True),
        "used_bp": figures.drawn * 10_000 // figures.budget if figures.budget else 0,
        "fen": formats.fen,
    }
