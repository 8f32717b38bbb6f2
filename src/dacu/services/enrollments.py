"""Merchants enrolling SKUs in a campaign (商家报名) and operators reviewing them.

Eligibility is checked here, once, for every entry point: the API, the CLI
and the simulator all enroll through `EnrollmentService`. A shop enrolls only
its own SKUs from the catalog, at the catalog's list price.
"""

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import CampaignStateError, CampaignStatus
from dacu.domain.enrollment import (
    Enrollment,
    Ineligible,
    Merchant,
    Review,
    UnknownMerchant,
    ineligibility,
    is_priority,
)
from dacu.domain.errors import ConcurrentChange, InvalidRule
from dacu.domain.goods import Sku
from dacu.services.ports.enrollments import CampaignRules, EnrollmentStore


@dataclass(frozen=True, slots=True)
class Listed:
    """An enrollment as operators review it: priority categories (家电, 数码, 美妆) first."""

    enrollment: Enrollment
    priority: bool = False


class SkuLookup(Protocol):
    def skus(self, sku_ids: Collection[str]) -> dict[str, Sku]: ...


class EnrollmentService:
    def __init__(
        self, store: EnrollmentStore, campaigns: CampaignRules, goods: SkuLookup | None = None
    ) -> None:
        self._store = store
        self._campaigns = campaigns
        self._goods = goods

    def put_merchant(self, merchant: Merchant) -> None:
        """A merchant's profile as the platform knows it (verification, rating, violations)."""
        violation = merchant.last_serious_violation
        if violation is not None and violation.tzinfo is None:
            raise InvalidRule("last_serious_violation", "needs a time zone offset")
        self._store.put_merchant(merchant)

    def enroll(self, terms: Enrollment, now: datetime) -> Listed:
        """Enroll a SKU if the shop qualifies now; enrolling it again while pending
        replaces the terms. Ineligible names every reason the shop does not qualify."""
        campaign = self._campaigns.campaign(terms.campaign_id)
        if campaign.status is CampaignStatus.ENDED or all(
            held.window.ended(now) for held in campaign.phases
        ):
            raise CampaignStateError(f"campaign {campaign.id} has ended: it takes no enrollment")
        try:
            merchant = self._store.merchant(terms.shop)
        except UnknownMerchant:
            raise InvalidRule("shop", f"{terms.shop} has no merchant profile yet") from None
        reasons = ineligibility(merchant, campaign.eligibility, now)
        if reasons:
            raise Ineligible(terms.shop, reasons)
        terms = self._in_catalog(terms)
        try:
            enrolled = self._put_terms(terms)
        except ConcurrentChange:
            enrolled = self._put_terms(terms)  # enrolled or reviewed meanwhile: decide again
        return Listed(enrolled, is_priority(merchant, campaign.eligibility))

    def _in_catalog(self, terms: Enrollment) -> Enrollment:
        """Only a SKU of the enrolling shop, at its list price in the catalog."""
        if self._goods is None:
            return terms
        sku = self._goods.skus([terms.sku]).get(terms.sku)
        if sku is None or sku.shop != terms.shop:
            raise InvalidRule("sku", f"{terms.sku} is not a SKU of shop {terms.shop}")
        return replace(terms, list_price=sku.list_price)

    def _put_terms(self, terms: Enrollment) -> Enrollment:
        standing = self._store.find(terms.campaign_id, terms.sku)
        if standing is None:
            self._store.add(terms)
            return terms
        renewed = standing.reenrolled(terms)
        self._store.replace_terms(renewed)
        return renewed

    def review(
        self, enrollment_id: str, approve: bool, reviewer: str, note: str, now: datetime
    ) -> Enrollment:
        """An operator's decision, once; approval puts the committed stock on sale."""
        try:
            return self._review(enrollment_id, approve, reviewer, note, now)
        except ConcurrentChange:
            # another reviewer decided first: the enrollment as it stands now says why not
            return self._review(enrollment_id, approve, reviewer, note, now)

    def _review(
        self, enrollment_id: str, approve: bool, reviewer: str, note: str, now: datetime
    ) -> Enrollment:
        decided = self._store.get(enrollment_id).decide(approve, note)
        self._store.save_review(decided, reviewer, now)
        return decided

    def listing(self, campaign_id: str, shops: Collection[str] | None = None) -> list[Listed]:
        """The campaign's enrollments (only those of `shops` when given), priority first."""
        campaign = self._campaigns.campaign(campaign_id)
        found = [
            enrollment
            for enrollment in self._store.of_campaign(campaign_id)
            if shops is None or enrollment.shop in shops
        ]
        profiles = self._store.merchants({enrollment.shop for enrollment in found})
        listed = [
            Listed(e, e.shop in profiles and is_priority(profiles[e.shop], campaign.eligibility))
            for e in found
        ]
        return sorted(listed, key=lambda each: (not each.priority, each.enrollment.sku))

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]:
        """The campaign's enrollments by SKU (only those with `review` when given)."""
        return self._store.of_campaign(campaign_id, review)
