"""The composition root: the one place where adapters are chosen and services wired.

Every entry point — the API and its console, the CLI, the workers and the
simulator — asks `bootstrap` for a `Platform` and calls its services; none
builds a store of its own. Tests build one over a test database the same way.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.case_store import SqlCaseStore
from dacu.adapters.checkout_views import FreeCoupons, database_figure
from dacu.adapters.checkout_writer import CheckoutWriter, WritingBehind
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.db import make_engine, upgrade
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.gates import async_gate, redis_client, stock_gate
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.notification_store import SqlNotifications
from dacu.adapters.payment_channels import RedisChannelErrors, SqlChannelErrors, SqlChannelRouting
from dacu.adapters.payment_store import SqlAuditTrail, SqlPaymentStore
from dacu.adapters.principal_cache import PrincipalCache
from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.recorded_events import SqlRecordedEvents
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_gate import AsyncRedisGate
from dacu.adapters.redis_stock import RedisStockReservations, stock_slot
from dacu.adapters.simulated_payments import HttpCallbacks, SimulatedProvider
from dacu.adapters.stock_store import SqlStockReservations
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.adapters.wallet_store import SqlHeldCoupons
from dacu.domain.flashsale import StockGate
from dacu.services.campaigns import CampaignService
from dacu.services.catalog import CatalogCache
from dacu.services.coupons import CouponService
from dacu.services.enrollments import EnrollmentService
from dacu.services.intake import DirectIntake
from dacu.services.orders import OrderService
from dacu.services.payment_channels import ChannelConfig, PaymentChannels
from dacu.services.payments import PaymentService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.intake import OrderIntake
from dacu.services.ports.notifications import Notifications
from dacu.services.ports.payments import ChannelErrors, SignedCallback
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
    intake: OrderIntake  # RedisOrderIntake (written behind by the workers) with Redis
    enrollments: EnrollmentService
    principals: SqlPrincipals
    flash: SqlFlashStore
    gate: StockGate  # for everything but the HTTP hot path
    hot_gate: AsyncRedisGate | None  # the hot path's gate with Redis; else `gate` in a thread
    tokens: PrincipalCache
    kpis: SqlKpiStore
    alerts: Alerts
    notifications: Notifications
    cases: SqlCaseStore
    recorded: SqlRecordedEvents
    quotes: QuoteService
    catalog: CatalogCache  # the process's compiled live promotions, behind `quotes`
    payments: PaymentService
    payment_providers: Mapping[str, SimulatedProvider]  # channel → its simulated provider
    payment_callbacks: HttpCallbacks  # how the simulated providers call this API back

    def call_back_to(self, base_url: str) -> None:
        """Have the simulated providers call back the API at `base_url` (a test server's)."""
        self.payment_callbacks.base_url = base_url
        for provider in self.payment_providers.values():
            provider.sender = self.payment_callbacks

    def pay_in_process(self) -> None:
        """Have the simulated providers hand their signed callbacks straight to the payment
        service, at the time they were signed (the simulator's clock), not over HTTP."""

        def deliver(callback: SignedCallback) -> None:
            sent = datetime.fromtimestamp(int(callback.timestamp), self.clock().tzinfo)
            self.payments.callback(callback, sent)

        for provider in self.payment_providers.values():
            provider.sender = deliver

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
    payment_channels: ChannelConfig | None = None,
    payment_callback_url: str = "http://127.0.0.1:8000",
) -> Platform:
    """The platform over `engine` (and Redis, when given a URL)."""
    zone = ZoneInfo(timezone)
    now = clock or (lambda: datetime.now(zone))
    hot = async_gate(redis_url, redis_prefix)
    campaign_store, coupons = SqlCampaignStore(engine), SqlCouponStore(engine)
    campaigns = CampaignService(campaign_store)
    enrollments = SqlEnrollmentStore(engine)
    alerts = SqlAlertStore(engine)
    catalog = CatalogCache(campaign_store, enrollments, alerts)
    uow = partial(SqlUnitOfWork, engine)
    stock, intake = _order_intake(engine, uow, redis_url, redis_prefix, now)
    wallets: QuoteReads = SqlHeldCoupons(engine)
    if isinstance(intake, RedisOrderIntake):
        wallets = FreeCoupons(wallets, intake)
    quotes = QuoteService(catalog, wallets)
    orders = OrderService(uow, intake, quotes, now, ids)
    payments, providers, callbacks = _payments(
        engine, orders, payment_channels, payment_callback_url, alerts, redis_url, redis_prefix
    )
    return Platform(
        engine=engine,
        clock=now,
        new_id=ids,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        campaigns=campaigns,
        coupons=CouponService(coupons, coupons, uow, now, ids),
        orders=orders,
        intake=intake,
        stock=stock,
        enrollments=EnrollmentService(enrollments, campaigns),
        principals=SqlPrincipals(engine),
        flash=SqlFlashStore(engine),
        gate=stock_gate(engine, redis_url, redis_prefix),
        hot_gate=hot,
        tokens=PrincipalCache(hot.client if hot else None, redis_prefix),
        kpis=SqlKpiStore(engine),
        alerts=alerts,
        notifications=SqlNotifications(engine),
        cases=SqlCaseStore(engine),
        recorded=SqlRecordedEvents(engine),
        quotes=quotes,
        catalog=catalog,
        payments=payments(now, ids),
        payment_providers=providers,
        payment_callbacks=callbacks,
    )


def _payments(
    engine: Engine,
    orders: OrderService,
    config: ChannelConfig | None,
    callback_url: str,
    alerts: Alerts,
    redis_url: str | None,
    prefix: str,
) -> tuple[Callable[[Clock, NewId], PaymentService], dict[str, SimulatedProvider], HttpCallbacks]:
    """Payments through the channels' simulated providers, which call back `callback_url`;
    failures counted in Redis when configured, else in the database."""
    config = config or ChannelConfig(
        "simpay", "simpay-backup", dict.fromkeys(("simpay", "simpay-backup"), DEV_PAYMENT_SECRET)
    )
    callbacks = HttpCallbacks(callback_url)
    providers = {
        name: SimulatedProvider(name, config.secrets[name], callbacks)
        for name in (config.primary, config.backup)
    }
    errors: ChannelErrors = SqlChannelErrors(engine, config.window_seconds)
    if redis_url is not None:
        errors = RedisChannelErrors(redis_client(redis_url), prefix, config.window_seconds)
    channels = PaymentChannels(config, SqlChannelRouting(engine), errors, alerts)
    store, audit = SqlPaymentStore(engine), SqlAuditTrail(engine)
    service = partial(PaymentService, store, providers, channels, orders, audit)
    return service, providers, callbacks


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
        payment_channels=ChannelConfig(
            config.payment_primary,
            config.payment_backup,
            {
                config.payment_primary: config.payment_primary_secret,
                config.payment_backup: config.payment_backup_secret,
            },
            config.payment_failover_errors,
            config.payment_failover_window,
        ),
        payment_callback_url=config.payment_callback_url,
    )


__all__ = ["Clock", "NewId", "Platform", "bootstrap", "from_settings", "new_id", "redis_client"]
