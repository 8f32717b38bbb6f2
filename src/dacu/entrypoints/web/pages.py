"""The console's overview pages: the campaign list, every alert, and the case library."""

from collections import Counter
from collections.abc import Iterable

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse

from dacu.domain.alerts import Alert
from dacu.entrypoints.web.context import backend, case_library
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, UserDep
from dacu.services.kpis import STOCK_KINDS

router = APIRouter(prefix=CONSOLE, include_in_schema=False)


@router.get("")
def root() -> RedirectResponse:
    return RedirectResponse(f"{CONSOLE}/", status_code=307)


@router.get("/")
def campaign_list(request: Request, who: UserDep) -> HTMLResponse:
    found = backend(request)
    standing = Counter(alert.subject for alert in found.alerts.alerts(standing=True))
    rows = [
        {"id": i, "theme": theme, "status": status, "version": version, "alerts": standing[i]}
        for i, theme, status, version in found.campaigns.ids()
    ]
    return page(request, "campaigns.html", {"rows": rows}, who=who)


@router.get("/alerts")
def alerts_page(request: Request, who: UserDep) -> HTMLResponse:
    found = backend(request)
    every = found.alerts.alerts()
    campaign_ids = {i for i, *_ in found.campaigns.ids()}
    context = {
        "stock": _standing_first(a for a in every if a.kind in STOCK_KINDS),
        "campaign": _standing_first(a for a in every if a.kind not in STOCK_KINDS),
        "campaign_ids": campaign_ids,
    }
    return page(request, "alerts.html", context, who=who)


@router.get("/cases")
def cases_page(request: Request, who: UserDep) -> HTMLResponse:
    cases = case_library(request).all()
    return page(request, "cases.html", {"cases": cases}, who=who)


def _standing_first(alerts: Iterable[Alert]) -> list[Alert]:
    """Standing alerts before cleared ones; newest first within each (the store's order)."""
    return sorted(alerts, key=lambda alert: alert.cleared_at is not None)
