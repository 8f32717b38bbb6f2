"""The composition root: the one place where adapters are chosen and services wired.

Every entry point (the API and its console, the CLI, the workers, the simulator) and
every test asks `bootstrap` for a `Platform` and calls its services; none builds a store.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dacu import wiring
from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.case_store import SqlCaseStore
from dacu.adapters.checkout_writer import CheckoutWriter, WritingBehind
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.customer_store import SqlCustomers
from dacu.adapters.db import make_engine, upgrade
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.gates import async_gate, redis_client
from dacu.adapters.goods_store import SqlGoodsStore
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.notification_store import SqlNotifications
from dacu.adapters.outbox_store import SqlOutboxFeed
from dacu.adapters.principal_cache import PrincipalCache
from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.recorded_events import SqlRecordedEvents
from dacu.adapters.redis_checkout import RedisOrderIntake
from dacu.adapters.redis_gate import AsyncRedisGate
from dacu.adapters.risk_decisions import SqlDecisionLog
from dacu.adapters.simulated_payments import HttpCallbacks, SimulatedProvider
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.bootstrap_acquisition import AcquisitionService
from dacu.bootstrap_events import with_events
from dacu.bootstrap_growth import chance_for_tasks, growth_of
from dacu.bootstrap_lottery import LotteryService, lottery_of
from dacu.bootstrap_rebates import RebateService
from dacu.bootstrap_registration import RegistrationService, registration_of
from dacu.bootstrap_rewards import RedemptionService, RewardService
from dacu.bootstrap_risk import desk_of, risk_of
from dacu.bootstrap_risk_wiring import with_risk_gate, written_behind
from dacu.bootstrap_settlement import finance_of
from dacu.flash_wiring import Flashing
from dacu.schemas.categories import packaged_categories
from dacu.services.access import AccessService
from dacu.services.appeals import AppealService
from dacu.services.budget_burn import BudgetBurn
from dacu.services.budget_requests import ReleaseApprovals
from dacu.services.budgets import BudgetService
from dacu.services.campaigns import CampaignService
from dacu.services.catalog import CatalogCache
from dacu.services.charges import ChargeService
from dacu.services.coin_rewards import CoinRewards
from dacu.services.coupons import CouponService
from dacu.services.enrollments import EnrollmentService
from dacu.services.flashsales import FlashSaleService
from dacu.services.goods import GoodsService
from dacu.services.kpi_stream import EventIntake
from dacu.services.orders import OrderService
from dacu.services.outbox import FactListener, OutboxDelivery
from dacu.services.payment_channels import ChannelConfig
from dacu.services.payments import PaymentService
from dacu.services.payouts import PayoutService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.coins import CoinLedger
from dacu.services.ports.customers import CustomerFacts, CustomerProfiles
from dacu.services.ports.intake import OrderIntake
from dacu.services.ports.ledger import Ledger
from dacu.services.ports.notifications import Notifications
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.risk_clusters import ClusterLinks
from dacu.services.ports.risk_links import RiskFacts
from dacu.services.ports.settlement import Statements
from dacu.services.ports.stock import StockReservations
from dacu.services.quotes import QuoteService
from dacu.services.reviews import ReviewService
from dacu.services.risk_desk import RiskDesk
from dacu.services.risk_gate import RiskGate
from dacu.services.risk_rules import RiskRulesAdmin
from dacu.services.settlement import SettlementService
from dacu.services.shipments import ShipmentService
from dacu.services.tasks import TaskService
from dacu.settings import Settings, settings
from dacu.wiring import Clock, NewId


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
    budgets: BudgetService  # caps drawn at checkout; the reserve operators release
    registration: RegistrationService  # sign-up and sign-in by phone and one-time code
    risk: RiskCheck  # asked before every growth reward; allows everything by default
    coins: CoinLedger  # 智慧币
    acquisition: AcquisitionService  # 拉新: welcome red packets, invite, merchant and share codes
    rebates: RebateService  # 商家返利: accrued from paid first orders, statements per shop
    coin_rewards: CoinRewards  # every coin earned: verified, risk-checked, funded, once per key
    tasks: TaskService  # daily sign-ins and tasks
    rewards: RewardService  # the RewardGiver: coupons, coins, top-ups, physical prizes
    redemptions: RedemptionService  # 赚币换购
    ledger: Ledger  # the double-entry ledger: every fen owed, funded and settled
    shipments: ShipmentService  # 发货: late flags, the logistics subsidy when delivered
    charges: ChargeService  # 广告费返现 and 违规罚款 recorded by operators
    statements: Statements  # 补贴结算单: each shop's issued statements, read
    settlement: SettlementService  # settlement runs: statements issued from the ledger
    appeals: AppealService  # 申诉中心: merchants dispute statement lines, finance decides
    reviews: ReviewService  # 单笔超过1万元风控审核: two-person review of large lines
    payouts: PayoutService  # statements paid through the bank-file channel
    budget_requests: ReleaseApprovals  # the reserve released by approval (operator → finance)
    budget_burn: BudgetBurn  # burn by department and promotion, the weekly budget review
    risk_desk: RiskDesk  # 风控审核: the review queue of held rewards and appeals, the blacklist
    risk_rules: RiskRulesAdmin  # the risk rules' versions and the blacklist (风控规则, 黑名单)
    risk_decisions: SqlDecisionLog  # every risk decision that was not a plain allow
    risk_links: ClusterLinks  # identity links and clusters of accounts (关联), cached
    risk_facts: RiskFacts  # invite shape, standing, links to a shop's people
    listeners: tuple[FactListener, ...] = ()  # what else the server's facts drive
    lottery: LotteryService | None = None  # 摇摇欲坠
    risk_gate: RiskGate | None = None  # the risk check on every path that moves money
    events: EventIntake | None = None  # events in: through the stream with Redis (wired)

    def with_lottery(self) -> "Platform":
        """The same platform with its lottery wired over its own stores and services."""
        wired = lottery_of(
            self.engine, self.redis_url, self.redis_prefix, self.campaigns, self.risk,
            self.coins, self.coupons, self.clock, self.new_id, self.rewards,
        )  # fmt: skip
        self.tasks.on_all_done = chance_for_tasks(wired)
        return replace(self, lottery=wired)

    def wired(self) -> "Platform":
        """With the lottery and the risk gate on every money path."""
        return with_events(with_risk_gate(self.with_lottery()))

    def outbox(self) -> OutboxDelivery:  # a delivery of the server's facts to the KPI rollups
        return OutboxDelivery(
            SqlOutboxFeed(self.engine),
            self.kpis,
            self.campaigns,
            self.alerts,
            listeners=self.listeners,
            queue=None if self.events is None else self.events.queue,
        )

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
        written_behind(self)
        if self.hot_gate is not None:
            await self.hot_gate.client.aclose()

    def close(self) -> None:
        written_behind(self)  # what risk control writes behind, written first
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
    now = clock or partial(datetime.now, ZoneInfo(timezone))
    hot = async_gate(redis_url, redis_prefix)
    campaigns = CampaignService(campaign_store := SqlCampaignStore(engine))
    coupons, enrollments = SqlCouponStore(engine), SqlEnrollmentStore(engine)
    alerts, notifications = SqlAlertStore(engine), SqlNotifications(engine)
    catalog = CatalogCache(campaign_store, enrollments, alerts)
    uow = partial(SqlUnitOfWork, engine)
    stock, intake = wiring.order_intake(engine, uow, redis_url, redis_prefix, now)
    profiles = SqlCustomers(engine)
    quotes, facts, figures = wiring.pricing(engine, catalog, intake, profiles)
    goods = GoodsService(SqlGoodsStore(engine), stock, now, packaged_categories())
    orders = OrderService(uow, intake, quotes, now, ids)  # paid by `payments`
    paying = wiring.payments(engine, orders, payments, alerts, redis_url, redis_prefix, now, ids)
    flash = Flashing(engine, redis_url, redis_prefix, hot, alerts, notifications, uow)
    rk = risk_of(engine, redis_url, redis_prefix, now)  # the risk check the growth asks
    return Platform(
        engine=engine,
        clock=now,
        new_id=ids,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        campaigns=campaigns,
        coupons=(cs := CouponService(coupons, coupons, uow, now, ids, campaigns.is_open)),
        orders=orders,
        intake=intake,
        stock=stock,
        goods=goods,
        customers=facts,
        profiles=profiles,
        enrollments=EnrollmentService(enrollments, campaigns, goods),
        principals=(principals := SqlPrincipals(engine)),
        access=(access := wiring.access(engine, principals, redis_url, redis_prefix, now)),
        flashsales=flash.sales(campaigns, goods, orders, paying),
        hot_gate=hot,
        tokens=PrincipalCache(hot.client if hot else None, redis_prefix),
        kpis=SqlKpiStore(engine),
        alerts=alerts,
        notifications=notifications,
        cases=SqlCaseStore(engine),
        recorded=SqlRecordedEvents(engine),
        quotes=quotes,
        catalog=catalog,
        payments=paying,
        budgets=(budgets := BudgetService(uow, figures, campaigns.get, now, quotes.moved)),
        **(grown := growth_of(engine, goods, cs, budgets, facts, alerts, campaigns, now, ids, rk)),
        registration=registration_of(engine, access, now, ids, joined=grown["acquisition"]),
        **finance_of(engine, campaigns, goods, alerts, grown["rebates"], budgets, now, ids),
        **desk_of(engine, grown, rk, now, ids),
    ).wired()


def from_settings(config: Settings | None = None, *, migrate: bool = True) -> Platform:
    """The platform the environment describes (`DACU_…`), its schema brought up to date."""
    config = config or settings()
    if migrate:
        upgrade(config.database_url)
    platform = bootstrap(
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
    return with_events(platform, config.events_replicas) if config.events_replicas else platform


__all__ = ["Clock", "NewId", "Platform", "bootstrap", "from_settings", "new_id", "redis_client"]
