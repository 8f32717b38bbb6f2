"""What the simulation needs of the platform: the same services the API and the CLI use."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.enrollment import Enrollment, Merchant, Review
from dacu.services.campaigns import Applied
from dacu.services.coupons import CouponService
from dacu.services.enrollments import Listed
from dacu.services.flashsales import FlashSaleService
from dacu.services.goods import GoodsService
from dacu.services.kpis import KpiStore
from dacu.services.orders import OrderService
from dacu.services.outbox import OutboxDelivery
from dacu.services.payments import PaymentService
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.customers import CustomerFacts, CustomerProfiles
from dacu.services.ports.risk import RiskCheck
from dacu.services.ports.risk_deeds import RiskDeeds
from dacu.services.ports.risk_links import IdentityLinks
from dacu.services.ports.stock import StockReservations
from dacu.services.review import Cases
from dacu.services.simulation.growth import GrowthWorld
from dacu.services.simulation.verdicts import Verdicts


class CampaignStore(Protocol):
    """Campaigns as the simulation drives them: through the campaign service."""

    def apply(
        self, document: dict[str, Any], campaign: Campaign, actor: str, now: datetime
    ) -> Applied: ...

    def document(self, campaign_id: str) -> dict[str, Any]: ...

    def campaign(self, campaign_id: str) -> Campaign: ...

    def live(self) -> list[Campaign]: ...


class EnrollmentStore(Protocol):
    """Enrollments as the simulation drives them: through the enrollment service."""

    def put_merchant(self, merchant: Merchant) -> None: ...

    def enroll(self, terms: Enrollment, now: datetime) -> Listed: ...

    def review(
        self, enrollment_id: str, approve: bool, reviewer: str, note: str, now: datetime
    ) -> Enrollment: ...

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]: ...


class RecordedEvents(Protocol):
    def stored(self, ids: Sequence[str]) -> set[str]:
        """Which of these event ids the KPI store holds already."""


@dataclass(frozen=True, slots=True)
class World:
    """The platform as the simulation drives it."""

    campaigns: CampaignStore
    coupons: CouponService
    orders: OrderService
    payments: PaymentService  # its simulated providers call back in process
    stock: StockReservations
    goods: GoodsService
    enrollments: EnrollmentStore
    flashsales: FlashSaleService
    kpis: KpiStore
    alerts: Alerts
    cases: Cases
    recorded: RecordedEvents
    customers: CustomerFacts  # who a customer is, as the server knows it
    profiles: CustomerProfiles  # registration: phone, verified, member tier
    outbox: OutboxDelivery  # the server's own events, delivered to the KPIs
    outage: Callable[[str, bool], None]  # a payment channel's provider fails (or recovers)
    growth: GrowthWorld | None = None  # plan 000's mechanics, when the run has them
    risk: RiskCheck | None = None  # the platform's check, asked as the routes ask it
    verdicts: Verdicts | None = None  # the risk check's answers, noted (the attack set's score)
    risk_deeds: RiskDeeds | None = None  # the risk gate's kept deeds: the sim asks the gate
    risk_links: IdentityLinks | None = None  # where a merchant's own sightings go
    merchant: Callable[[str, str, datetime], object] | None = None  # (subject, shop, at):
    # a merchant of the shop given its token, as `dacu token issue --role merchant` does
    statistics: Callable[[], None] | None = None  # the database's planner statistics
    # gathered afresh as its tables grow (SQLite's ANALYZE; PostgreSQL analyzes by itself)
