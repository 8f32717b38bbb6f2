"""The application: routers, error mapping, and the stores behind them."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import Engine

from dacu import __version__
from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.gates import async_gate, stock_gate
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.order_store import SqlOrderStore
from dacu.adapters.principal_cache import PrincipalCache
from dacu.adapters.principals import SqlPrincipals
from dacu.entrypoints.api import (
    campaigns,
    coupons,
    enrollments,
    errors,
    flashsales,
    kpis,
    orders,
    quotes,
)
from dacu.entrypoints.api.context import Backend
from dacu.entrypoints.web import install as install_console


def create_app(
    engine: Engine,
    clock: Callable[[], datetime] | None = None,
    redis_url: str | None = None,
    redis_prefix: str = "dacu",
) -> FastAPI:
    """An API process over `engine` (and Redis, if given): it keeps no state of its own
    beyond caches, so many can run."""
    hot = async_gate(redis_url, redis_prefix)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if hot is not None:
            await hot.client.aclose()

    app = FastAPI(
        lifespan=lifespan,
        title="dacu",
        version=__version__,
        description="大促: campaigns, coupons and quotes, priced to the fen.",
    )
    shanghai = ZoneInfo("Asia/Shanghai")
    app.state.backend = Backend(
        campaigns=SqlCampaignStore(engine),
        coupons=SqlCouponStore(engine),
        orders=SqlOrderStore(engine),
        enrollments=SqlEnrollmentStore(engine),
        principals=SqlPrincipals(engine),
        clock=clock or (lambda: datetime.now(shanghai)),
        flash=SqlFlashStore(engine),
        gate=stock_gate(engine, redis_url, redis_prefix),
        hot_gate=hot,
        tokens=PrincipalCache(hot.client if hot else None, redis_prefix),
        kpis=SqlKpiStore(engine),
        alerts=SqlAlertStore(engine),
    )
    errors.install(app)
    for router in (
        flashsales.router,  # first: the hot path's routes match soonest
        campaigns.router,
        coupons.router,
        quotes.router,
        orders.router,
        enrollments.router,
        kpis.router,
    ):
        app.include_router(router)
    install_console(app, engine)  # the web console at /console, with its own assets

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
