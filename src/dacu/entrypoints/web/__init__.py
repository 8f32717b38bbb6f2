"""The web console at /console: campaigns, live dashboards, the kill switch, alerts and
the case library, as server-rendered pages (Jinja2 + HTMX + ECharts, all served here)."""

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from dacu.entrypoints.web import (
    acquisition,
    appeals,
    budget_review,
    budgets,
    charges,
    coins,
    dashboard,
    goods,
    ledger,
    login,
    lottery,
    pages,
    payments,
    payouts,
    promotions,
    rebates,
    rewards,
    settlement,
    shipments,
)
from dacu.entrypoints.web import risk_links as risk_link_pages
from dacu.entrypoints.web import risk_rules as risk_rules_page
from dacu.entrypoints.web.context import PageMissing
from dacu.entrypoints.web.render import STATIC, page
from dacu.entrypoints.web.session import CONSOLE, CrossSite, LoginNeeded, NotAllowed, login_url


def install(app: FastAPI) -> None:
    """Mount the console's pages and assets on the API's app, beside its routes."""
    for router in (
        login.router,
        pages.router,
        dashboard.router,
        promotions.router,
        budgets.router,
        coins.router,
        payments.router,
        goods.router,
        acquisition.router,
        rebates.router,
        lottery.router,
        rewards.router,
        ledger.router,
        shipments.router,
        charges.router,
        settlement.router,
        appeals.router,
        payouts.router,
        budget_review.router,
        risk_link_pages.router,
        risk_rules_page.router,
    ):
        app.include_router(router)
    app.mount(f"{CONSOLE}/static", StaticFiles(directory=STATIC), name="console-static")

    @app.exception_handler(LoginNeeded)
    async def login_needed(request: Request, error: LoginNeeded) -> Response:
        target = login_url(error.back_to)
        if _from_htmx(request):  # a poll or a button: have htmx leave the page for the form
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, error: NotAllowed) -> Response:
        return _refusal(request, 403, "forbidden", str(error))

    @app.exception_handler(CrossSite)
    async def cross_site(request: Request, error: CrossSite) -> Response:
        return _refusal(request, 403, "refused", str(error), translated=False)

    @app.exception_handler(PageMissing)
    async def missing(request: Request, error: PageMissing) -> Response:
        return _refusal(request, 404, "not_found", str(error), translated=False)


def _from_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _refusal(
    request: Request, status: int, title: str, reason: str, translated: bool = True
) -> Response:
    name = "_notice.html" if _from_htmx(request) else "refusal.html"
    context = {"title": title, "reason": reason, "translated": translated}
    return page(request, name, context, status=status)
