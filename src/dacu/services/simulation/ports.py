"""What the simulation needs of the platform: the same stores the API and the CLI use."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.enrollment import Enrollment, Merchant, Review
from dacu.domain.flashsale import StockGate
from dacu.domain.orders import Order, Refund
from dacu.services.campaigns import Applied
from dacu.services.coupons import CouponStore
from dacu.services.enrollments import Listed
from dacu.services.kpis import KpiStore
from dacu.services.orders import Orders
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.flash import FlashStore
from dacu.services.ports.notifications import Notifications
from dacu.services.quotes import Wallets
from dacu.services.review import Cases


class CampaignStore(Protocol):
    """Campaigns as the simulation drives them: through the campaign service."""

    def apply(
        self, document: dict[str, Any], campaign: Campaign, actor: str, now: datetime
    ) -> Applied: ...

    def document(self, campaign_id: str) -> dict[str, Any]: ...

    def campaign(self, campaign_id: str) -> Campaign: ...

    def live(self) -> list[Campaign]: ...


class CouponShelf(CouponStore, Wallets, Protocol):
    """Claims and wallets: one store serves both."""


class OrderStore(Orders, Protocol):
    def pay(self, order_id: str, now: datetime) -> Order: ...

    def refund(
        self, order_id: str, sku: str, qty: int, key: str, refund_id: str, now: datetime
    ) -> Refund: ...

    def funding(self, order_id: str | None = None) -> dict[str, Any]: ...

    def set_stock(self, sku: str, available: int) -> None: ...

    def available(self, sku: str) -> int | None: ...


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
    coupons: CouponShelf
    orders: OrderStore
    enrollments: EnrollmentStore
    flash: FlashStore
    gate: StockGate
    kpis: KpiStore
    alerts: Alerts
    notifications: Notifications
    cases: Cases
    recorded: RecordedEvents
