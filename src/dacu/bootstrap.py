"""The composition root: the one place where adapters are chosen and services wired.

Every entry point (the API and its console, the CLI, the workers, the simulator) and
every test asks `bootstrap` for a `Platform` and calls its services; none builds a store.
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
from dacu.adapters.checkout_views import FreeCoupons, WithUnwritten, database_figure
from dacu.adapters.checkout_writer import CheckoutWriter, WritingBehind
from dacu.adapters.console_sessions import SqlConsoleSessions
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.customer_store import SqlCustomers
from dacu.adapters.db import make_engine, upgrade
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.gates import async_gate, in_thread, order_streams, redis_client, stock_gate
from dacu.adapters.goods_store import SqlGoodsStore
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.notification_store import SqlNotifications
from dacu.adapters.outbox_store import SqlOutboxFeed
from dacu.adapters.payment_channels import RedisChannelErrors, SqlChannelErrors, SqlChannelRouting
from dacu.adapters.payment_store import SqlAuditTrail, SqlPaymentStore
from dacu.adapters.principal_cache import PrincipalCache, forget
from dacu.adapters.principals import SqlPrincipals, token_id
from dacu.adapters.recorded_events import SqlRecordedEvents
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_gate import AsyncRedisGate
from dacu.adapters.redis_stock import RedisStockReservations, stock_slot
from dacu.adapters.simulated_payments import HttpCallbacks, SimulatedProvider
from dacu.adapters.stock_store import SqlStockReservations
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.adapters.wallet_store import SqlHeldCoupons
from dacu.services.access import AccessService
from dacu.services.campaigns import CampaignService
from dacu.services.catalog import CatalogCache
from dacu.services.coupons import CouponService
from dacu.services.enrollments import EnrollmentService
from dacu.services.flashsales import FlashSaleService
from dacu.services.goods import GoodsService
from dacu.services.intake import DirectIntake
from dacu.services.orders import OrderService
from dacu.services.outbox import OutboxDelivery
from dacu.services.payment_channels import ChannelConfig, PaymentChannels
from dacu.services.payments import PaymentService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.customers import CustomerFacts, CustomerProfiles
from dacu.services.ports.intake import OrderIntake
from dacu.services.ports.notifications import Notifications
from dacu.services.ports.payments import ChannelErrors
from dacu.services.ports.stock import StockReservations
from dacu.services.ports.wallets import QuoteReads
from dacu.services.quotes import QuoteService
from dacu.settings import DEV_PAYMENT_SECRET, Settings, settings

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
    goods: GoodsService
    customers: CustomerFacts  # what the server knows of a customer, orders not yet written too
    profiles: CustomerProfiles
    intake: OrderIntake  # RedisOrderIntake (written behind by the workers) with Redis
    enrollments: EnrollmentService
    principals: SqlPrincipals
    access: AccessService  # tokens issued and revoked, console sessions
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
    payments: PaymentService

    def outbox(self) -> OutboxDelivery:  # a delivery of the server's facts to the KPI rollups
        return OutboxDelivery(SqlOutboxFeed(self.engine), self.kpis, self.campaigns, self.alerts)

    @property
    def payment_providers(self) -> dict[str, SimulatedProvider]:
        """The simulated providers behind the payment channels, by channel."""
        found = self.payments.providers.items()
        return {name: p for name, p in found if isinstance(p, SimulatedProvider)}

    def call_back_to(self, base_url: str) -> None:
        """Have the simulated providers call back the API at `base_url` (a test server's)."""
        for provider in self.payment_providers.values():
            provider.sender = HttpCallbacks(base_url)

    def checkout_writer(self, consumer: str, idle_ms: int = 30_000) -> CheckoutWriter | None:
        """A writer of the orders Redis took in, under `consumer`; None without Redis
        (orders are written as they are taken in)."""
        if not isinstance(self.intake, RedisOrderIntake):
            return None
        return CheckoutWriter(self.intake.client, self.intake, consumer, idle_ms)

    def writing_behind(self, consumer: str) -> WritingBehind | None:
        """The checkout writer an API process runs in a thread of its own (not started)."""
        writer = self.checkout_writer(consumer)
        return None if writer is None else WritingBehind(writer)

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
    payments: ChannelConfig | None = None,
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
    flashsales = _flash_sales(engine, redis_url, redis_prefix, alerts, notifications, hot)
    catalog = CatalogCache(campaign_store, enrollments, alerts)
    uow = partial(SqlUnitOfWork, engine)
    stock, intake = _order_intake(engine, uow, redis_url, redis_prefix, now)
    wallets: QuoteReads = SqlHeldCoupons(engine)
    profiles = SqlCustomers(engine)
    facts: CustomerFacts = profiles
    if isinstance(intake, RedisOrderIntake):  # orders not yet written count too
        wallets, facts = FreeCoupons(wallets, intake), WithUnwritten(profiles, intake)
    quotes = QuoteService(catalog, wallets)
    goods = GoodsService(SqlGoodsStore(engine), stock, now)
    principals = SqlPrincipals(engine)
    return Platform(
        engine=engine,
        clock=now,
        new_id=ids,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        campaigns=campaigns,
        coupons=CouponService(coupons, coupons, uow, now, ids, campaigns.is_live),
        orders=(orders := OrderService(uow, intake, quotes, now, ids)),  # paid by `payments`
        intake=intake,
        stock=stock,
        goods=goods,
        customers=facts,
        profiles=profiles,
        enrollments=EnrollmentService(enrollments, campaigns, goods),
        principals=principals,
        access=_access(engine, principals, redis_url, redis_prefix, now),
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
        payments=_payments(engine, orders, payments, alerts, redis_url, redis_prefix, now, ids),
    )


def _payments(
    engine: Engine,
    orders: OrderService,
    config: ChannelConfig | None,
    alerts: Alerts,
    redis_url: str | None,
    prefix: str,
    clock: Clock,
    ids: NewId,
) -> PaymentService:
    """Payments through the channels' simulated providers, which call back the API;
    failures counted in Redis when configured, else in the database."""
    config = config or ChannelConfig.simulated(DEV_PAYMENT_SECRET)
    callbacks = HttpCallbacks(config.callback_url)
    providers = {
        name: SimulatedProvider(name, config.secrets[name], callbacks)
        for name in (config.primary, config.backup)
    }
    errors: ChannelErrors = SqlChannelErrors(engine, config.window_seconds)
    if redis_url is not None:
        errors = RedisChannelErrors(redis_client(redis_url), prefix, config.window_seconds)
    channels = PaymentChannels(config, SqlChannelRouting(engine), errors, alerts)
    store, audit = SqlPaymentStore(engine), SqlAuditTrail(engine)
    return PaymentService(store, providers, channels, orders, audit, clock, ids)


def _flash_sales(
    engine: Engine,
    redis_url: str | None,
    prefix: str,
    alerts: Alerts,
    notifications: Notifications,
    hot: AsyncRedisGate | None,
) -> FlashSaleService:
    return FlashSaleService(
        SqlFlashStore(engine),
        stock_gate(engine, redis_url, prefix),
        alerts,
        notifications,
        hot=hot,
        streams=order_streams(engine, redis_url, prefix),
        offload=in_thread,
    )


def _access(
    engine: Engine, principals: SqlPrincipals, redis_url: str | None, prefix: str, now: Clock
) -> AccessService:
    """Tokens and console sessions; a revoked token is dropped from every process's cache."""
    forgets = _no_cache if redis_url is None else partial(forget, redis_client(redis_url), prefix)
    return AccessService(principals, SqlConsoleSessions(engine), forgets, now, token_id)


def _no_cache(_: str) -> None:
    """Without Redis each process keeps a principal only a second: nothing to tell."""


def _order_intake(
    engine: Engine,
    uow: Callable[[], SqlUnitOfWork],
    redis_url: str | None,
    prefix: str,
    clock: Clock,
) -> tuple[StockReservations, OrderIntake]:
    """Orders taken in by Redis and written behind when Redis is configured; else in SQL."""
    book = SqlStockReservations(engine)
    if redis_url is None:
        return book, DirectIntake(uow, book)
    client = redis_client(redis_url)
    load = database_figure(client, stock_slot(prefix), book)
    stock = RedisStockReservations(client, load, prefix, book)
    return stock, RedisOrderIntake(client, engine, stock, clock)


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
        payments=ChannelConfig(
            config.payment_primary,
            config.payment_backup,
            {
                config.payment_primary: config.payment_primary_secret,
                config.payment_backup: config.payment_backup_secret,
            },
            config.payment_failover_errors,
            config.payment_failover_window,
            config.payment_callback_url,
        ),
    )


__all__ = ["Clock", "NewId", "Platform", "bootstrap", "from_settings", "new_id", "redis_client"]
