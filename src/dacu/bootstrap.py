"""The composition root: the one place where adapters are chosen and services wired.

Every entry point — the API and its console, the CLI, the workers and the
simulator — asks `bootstrap` for a `Platform` and calls its services; none
builds a store of its own. Tests build one over a test database the same way.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.case_store import SqlCaseStore
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.db import make_engine, upgrade
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.gates import async_gate, in_thread, order_streams, redis_client, stock_gate
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.notification_store import SqlNotifications
from dacu.adapters.principal_cache import PrincipalCache
from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.recorded_events import SqlRecordedEvents
from dacu.adapters.redis_gate import AsyncRedisGate
from dacu.adapters.stock_store import SqlStockReservations
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.adapters.wallet_store import SqlHeldCoupons
from dacu.services.campaigns import CampaignService
from dacu.services.catalog import CatalogCache
from dacu.services.coupons import CouponService
from dacu.services.enrollments import EnrollmentService
from dacu.services.flashsales import FlashSaleService
from dacu.services.orders import OrderService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.notifications import Notifications
from dacu.services.ports.stock import StockReservations
from dacu.services.quotes import QuoteService
from dacu.settings import Settings, settings

Clock = Callable[[], datetime]
NewId = Callable[[], str]


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Platform:
    """Everything an entry point needs, wired once per process."""

    engine: Engine
    clock: Clock
    new_id: NewId
    redis_url: str | None
    redis_prefix: str
    campaigns: CampaignService
    coupons: CouponService
    orders: OrderService
    stock: StockReservations
    enrollments: EnrollmentService
    principals: SqlPrincipals
    flashsales: FlashSaleService
    hot_gate: AsyncRedisGate | None  # behind `flashsales`; here to close its connections
    tokens: PrincipalCache
    kpis: SqlKpiStore
    alerts: Alerts
    notifications: Notifications
    cases: SqlCaseStore
    recorded: SqlRecordedEvents
    quotes: QuoteService
    catalog: CatalogCache  # the process's compiled live promotions, behind `quotes`

    async def aclose(self) -> None:
        if self.hot_gate is not None:
            await self.hot_gate.client.aclose()

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    engine: Engine,
    *,
    clock: Clock | None = None,
    redis_url: str | None = None,
    redis_prefix: str = "dacu",
    timezone: str = "Asia/Shanghai",
    ids: NewId = new_id,
) -> Platform:
    """The platform over `engine` (and Redis, when given a URL)."""
    zone = ZoneInfo(timezone)
    now = clock or (lambda: datetime.now(zone))
    hot = async_gate(redis_url, redis_prefix)
    campaign_store, coupons = SqlCampaignStore(engine), SqlCouponStore(engine)
    campaigns = CampaignService(campaign_store)
    enrollments = SqlEnrollmentStore(engine)
    alerts = SqlAlertStore(engine)
    notifications = SqlNotifications(engine)
    flashsales = FlashSaleService(
        SqlFlashStore(engine),
        stock_gate(engine, redis_url, redis_prefix),
        alerts,
        notifications,
        hot=hot,
        streams=order_streams(engine, redis_url, redis_prefix),
        offload=in_thread,
    )
    catalog = CatalogCache(campaign_store, enrollments, alerts)
    quotes = QuoteService(catalog, SqlHeldCoupons(engine))
    stock = SqlStockReservations(engine)
    uow = partial(SqlUnitOfWork, engine)
    return Platform(
        engine=engine,
        clock=now,
        new_id=ids,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        campaigns=campaigns,
        coupons=CouponService(coupons, coupons, uow, now, ids),
        orders=OrderService(uow, stock, quotes, now, ids),
        stock=stock,
        enrollments=EnrollmentService(enrollments, campaigns),
        principals=SqlPrincipals(engine),
        flashsales=flashsales,
        hot_gate=hot,
        tokens=PrincipalCache(hot.client if hot else None, redis_prefix),
        kpis=SqlKpiStore(engine),
        alerts=alerts,
        notifications=notifications,
        cases=SqlCaseStore(engine),
        recorded=SqlRecordedEvents(engine),
        quotes=quotes,
        catalog=catalog,
    )


def from_settings(config: Settings | None = None, *, migrate: bool = True) -> Platform:
    """The platform the environment describes (`DACU_…`), its schema brought up to date."""
    config = config or settings()
    if migrate:
        upgrade(config.database_url)
    return bootstrap(
        make_engine(config.database_url),
        redis_url=config.redis_url,
        redis_prefix=config.redis_prefix,
        timezone=config.timezone,
    )


__all__ = ["Clock", "NewId", "Platform", "bootstrap", "from_settings", "new_id", "redis_client"]
