"""The composition root's parts: which adapter each hot port gets, Redis or SQL.

`bootstrap.py` assembles the `Platform` from these; nothing else imports them.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy import Engine

from dacu.adapters.budget_store import SqlBudgetFigures
from dacu.adapters.checkout_views import FreeCoupons, WithUnwritten, database_figure
from dacu.adapters.console_sessions import SqlConsoleSessions
from dacu.adapters.customer_store import SqlCustomers
from dacu.adapters.gates import redis_client
from dacu.adapters.payment_channels import RedisChannelErrors, SqlChannelErrors, SqlChannelRouting
from dacu.adapters.payment_store import SqlAuditTrail, SqlPaymentStore
from dacu.adapters.principal_cache import forget
from dacu.adapters.principals import SqlPrincipals, token_id
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_connect import is_cluster
from dacu.adapters.redis_stock import RedisStockReservations, stock_slot
from dacu.adapters.simulated_payments import HttpCallbacks, SimulatedProvider
from dacu.adapters.stock_store import SqlStockReservations
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.adapters.wallet_store import SqlHeldCoupons
from dacu.services.access import AccessService
from dacu.services.budgets import BudgetCaps
from dacu.services.catalog import CatalogCache
from dacu.services.intake import DirectIntake
from dacu.services.orders import OrderService
from dacu.services.payment_channels import ChannelConfig, PaymentChannels
from dacu.services.payments import PaymentService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.budgets import BudgetFigures
from dacu.services.ports.customers import CustomerFacts
from dacu.services.ports.intake import OrderIntake
from dacu.services.ports.payments import ChannelErrors
from dacu.services.ports.stock import StockReservations
from dacu.services.ports.wallets import QuoteReads
from dacu.services.quotes import QuoteService
from dacu.settings import DEV_PAYMENT_SECRET

Clock = Callable[[], datetime]

CLUSTER_STOCK_SHARDS = 16
"""Shards of the checkout's stock on a Redis Cluster (one slot each, spread over the
primaries); one server keeps one."""
NewId = Callable[[], str]


def payments(
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


def access(
    engine: Engine, principals: SqlPrincipals, redis_url: str | None, prefix: str, now: Clock
) -> AccessService:
    """Tokens and console sessions; a revoked token is dropped from every process's cache."""
    forgets = no_cache if redis_url is None else partial(forget, redis_client(redis_url), prefix)
    return AccessService(principals, SqlConsoleSessions(engine), forgets, now, token_id)


def no_cache(_: str) -> None:
    """Without Redis each process keeps a principal only a second: nothing to tell."""


def order_intake(
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
    shards = CLUSTER_STOCK_SHARDS if is_cluster(redis_url) else 1
    stock = RedisStockReservations(client, load, prefix, book, shards)
    return stock, RedisOrderIntake(client, engine, stock, clock)


def pricing(
    engine: Engine, catalog: CatalogCache, intake: OrderIntake, profiles: SqlCustomers
) -> tuple[QuoteService, CustomerFacts, BudgetFigures]:
    """Quotes over the wallets and the budgets' hot figures, and the customers' facts:
    with Redis, orders taken in and not yet written count in all three."""
    wallets: QuoteReads = SqlHeldCoupons(engine)
    facts: CustomerFacts = profiles
    figures: BudgetFigures = SqlBudgetFigures(engine)
    if isinstance(intake, RedisOrderIntake):
        wallets, facts = FreeCoupons(wallets, intake), WithUnwritten(profiles, intake)
        figures = intake.budgets
    return QuoteService(catalog, wallets, BudgetCaps(figures)), facts, figures
