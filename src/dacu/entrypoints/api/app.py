"""The application: routers, error mapping, and the stores behind them."""

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from dacu import __version__
from dacu.bootstrap import Platform
from dacu.bootstrap_lottery import lottery_writing_behind
from dacu.entrypoints.api import (
    acquisition,
    appeals,
    budget_depth,
    budgets,
    campaigns,
    charges,
    coins,
    coupons,
    customers,
    enrollments,
    errors,
    flashsales,
    goods,
    kpis,
    lottery,
    orders,
    payments,
    payouts,
    quotes,
    rebates,
    redemptions,
    rewards,
    risk_desk,
    settlement,
    shipments,
    tasks,
)
from dacu.entrypoints.api import ledger as ledger_routes
from dacu.entrypoints.api import risk_links as risk_link_routes
from dacu.entrypoints.api import risk_rules as risk_rules_routes
from dacu.entrypoints.api.headers import SecurityHeaders, install_docs
from dacu.entrypoints.api.limits import RequestLimits
from dacu.entrypoints.web import install as install_console
from dacu.services.outbox import DeliveringBehind

ROUTERS = (
    flashsales.router,  # first: the hot path's routes match soonest
    campaigns.router,
    budgets.router,
    coupons.router,
    quotes.router,
    orders.router,
    payments.router,
    goods.router,
    enrollments.router,
    kpis.router,
    customers.router,
    acquisition.router,
    rebates.router,
    tasks.router,
    coins.router,
    lottery.router,
    redemptions.router,
    rewards.router,
    ledger_routes.router,
    shipments.router,
    charges.router,
    settlement.router,
    appeals.router,
    payouts.router,
    budget_depth.router,
    risk_desk.router,
    risk_rules_routes.router,
    risk_link_routes.router,
)


def create_app(platform: Platform) -> FastAPI:
    """An API process over `platform`: it keeps no state of its own beyond caches, so
    many can run."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        consumer = f"api-{socket.gethostname()}-{os.getpid()}"
        behind = platform.writing_behind(consumer)
        draws = lottery_writing_behind(
            platform.engine, platform.redis_url, platform.redis_prefix, consumer
        )
        writers = [w.start() for w in (behind, draws) if w is not None]
        delivering = DeliveringBehind(platform.outbox(), platform.clock).start()
        yield
        delivering.stop()
        for writer in writers:
            writer.stop()
        await platform.aclose()

    app = FastAPI(
        lifespan=lifespan,
        title="dacu",
        version=__version__,
        description="大促: campaigns, coupons and quotes, priced to the fen.",
        docs_url=None,  # served by `headers.install_docs`, under a policy of their own
        redoc_url=None,
    )
    app.state.platform = platform
    errors.install(app)
    app.add_middleware(RequestLimits)  # bodies over 1 MB and control characters, refused first
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, refusals included
    install_docs(app)
    for router in ROUTERS:
        app.include_router(router)
    install_console(app)  # the web console at /console, with its own assets

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
