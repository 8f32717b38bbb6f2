"""Fakes of the enrollment ports: the campaigns' rules and the enrollment store."""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from dacu.domain.campaigns import Campaign, UnknownCampaign
from dacu.domain.enrollment import Enrollment, Merchant, Review, UnknownEnrollment, UnknownMerchant
from dacu.domain.errors import ConcurrentChange

# --- enrollments ----------------------------------------------------------------------


@dataclass
class FakeCampaignRules:
    """CampaignRules: the campaigns an enrollment may join, by id."""

    campaigns: dict[str, Campaign] = field(default_factory=dict)

    def campaign(self, campaign_id: str) -> Campaign:
        if campaign_id not in self.campaigns:
            raise UnknownCampaign(campaign_id)
        return self.campaigns[campaign_id]


@dataclass
class FakeEnrollmentStore:
    """EnrollmentStore in dicts; `on_sale` is the stock approvals put on sale, `audit`
    the reviews recorded. `before_write` runs just before a conditional write, so a
    test can slip a rival's write in between a load and a save."""

    profiles: dict[str, Merchant] = field(default_factory=dict)
    rows: dict[str, Enrollment] = field(default_factory=dict)
    on_sale: dict[str, int] = field(default_factory=dict)
    audit: list[tuple[str, str, Review]] = field(default_factory=list)
    before_write: list[Callable[[], None]] = field(default_factory=list)

    def put_merchant(self, merchant: Merchant) -> None:
        self.profiles[merchant.shop] = merchant

    def merchant(self, shop: str) -> Merchant:
        if shop not in self.profiles:
            raise UnknownMerchant(shop)
        return self.profiles[shop]

    def merchants(self, shops: Collection[str]) -> dict[str, Merchant]:
        return {shop: self.profiles[shop] for shop in shops if shop in self.profiles}

    def get(self, enrollment_id: str) -> Enrollment:
        if enrollment_id not in self.rows:
            raise UnknownEnrollment(enrollment_id)
        return self.rows[enrollment_id]

    def find(self, campaign_id: str, sku: str) -> Enrollment | None:
        return next(
            (e for e in self.rows.values() if (e.campaign_id, e.sku) == (campaign_id, sku)), None
        )

    def add(self, enrollment: Enrollment) -> None:
        self._rival()
        if self.find(enrollment.campaign_id, enrollment.sku) is not None:
            raise ConcurrentChange(f"{enrollment.sku} was enrolled meanwhile", "sku")
        self.rows[enrollment.id] = enrollment

    def replace_terms(self, enrollment: Enrollment) -> None:
        self._rival()
        standing = self.rows.get(enrollment.id)
        if standing is None or standing.review is not Review.PENDING:
            raise ConcurrentChange(f"enrollment {enrollment.id} was reviewed meanwhile")
        self.rows[enrollment.id] = enrollment

    def save_review(self, reviewed: Enrollment, reviewer: str, now: datetime) -> None:
        self._rival()
        if self.rows[reviewed.id].review is not Review.PENDING:
            raise ConcurrentChange(f"enrollment {reviewed.id} was reviewed meanwhile")
        self.rows[reviewed.id] = reviewed
        if reviewed.on_sale is not None:
            self.on_sale[reviewed.sku] = reviewed.on_sale
        self.audit.append((reviewed.id, reviewer, reviewed.review))

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]:
        found = [e for e in self.rows.values() if e.campaign_id == campaign_id]
        return sorted(
            (e for e in found if review is None or e.review is review), key=lambda e: e.sku
        )

    def _rival(self) -> None:
        while self.before_write:
            self.before_write.pop(0)()


# --- end of enrollments ---------------------------------------------------------------
