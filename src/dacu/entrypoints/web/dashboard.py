"""A campaign's live dashboard: the page, and the fragment it polls to stay current.

Both draw the very JSON `GET /v1/campaigns/{id}/kpis` returns, so whatever
the console shows can be checked against the API to the fen.
"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from dacu.domain.events import Channel
from dacu.entrypoints.kpi_view import dashboard_json, lag_json
from dacu.entrypoints.web.acquisition import figures_of
from dacu.entrypoints.web.coins import coins_card
from dacu.entrypoints.web.context import backend, campaign_of, zone_of
from dacu.entrypoints.web.i18n import language, translator
from dacu.entrypoints.web.rebates import dashboard_card
from dacu.entrypoints.web.render import figure_writer, page
from dacu.entrypoints.web.session import CONSOLE, UserDep
from dacu.services import kpis

router = APIRouter(prefix=f"{CONSOLE}/campaigns", include_in_schema=False)

POLL_SECONDS = 5
# (label, count, the rate of the step into it) from visitors to payers
FUNNEL = (
    ("uv", "uv", None),
    ("carters", "carters", "view_to_cart_bp"),
    ("orderers", "orderers", "cart_to_order_bp"),
    ("payers", "payers", "order_to_pay_bp"),
)


@router.get("/{campaign_id}")
def dashboard_page(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    found = backend(request)
    card = figures_of(found, campaign_of(found, campaign_id), full=False)  # the 拉新 card
    context = {**_context(request, campaign_id), "acquisition": card}
    context["rebates"] = dashboard_card(found, campaign_id)
    context["coins"] = coins_card(found, campaign_id)  # 智慧币 today and their liability
    return page(request, "dashboard.html", context, who=who)


@router.get("/{campaign_id}/live")
def live_fragment(campaign_id: str, request: Request, who: UserDep) -> HTMLResponse:
    """What the page polls: cards, tables and the charts' data, swapped in out of band."""
    context = {**_context(request, campaign_id), "oob": True}
    return page(request, "_live.html", context, who=who)


def _context(request: Request, campaign_id: str) -> dict[str, Any]:
    found = backend(request)
    now = found.clock()
    board = dashboard_json(
        kpis.dashboard(found.kpis, found.alerts, campaign_of(found, campaign_id), now),
        zone_of(found),
    )
    t = translator(language(request))
    chart_labels = {
        "gmv": t("gmv"),
        "orders": t("orders"),
        "payments": t("payments"),
        "uv": t("uv"),
        "channels": {channel.value: t(f"channel.{channel.value}") for channel in Channel},
        "empty": t("no_data"),
    }
    return {
        "board": board,
        "kpi": figure_writer(board),
        "lag": lag_json(found.events, found.outbox().pending(), now),  # the stream's writers
        "now": now,
        "oob": False,
        "poll_seconds": POLL_SECONDS,
        "funnel": FUNNEL,
        "chart_labels": chart_labels,
    }
