"""The application: routers, error mapping, and the stores behind them."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import Engine

from dacu import __version__
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.order_store import SqlOrderStore
from dacu.adapters.principals import SqlPrincipals
from dacu.entrypoints.api import campaigns, coupons, enrollments, errors, orders, quotes
from dacu.entrypoints.api.context import Backend


def create_app(engine: Engine, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """An API process over `engine`; it keeps no state of its own, so many can run."""
    app = FastAPI(
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
    )
    errors.install(app)
    for router in (
        campaigns.router,
        coupons.router,
        quotes.router,
        orders.router,
        enrollments.router,
    ):
        app.include_router(router)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
