"""What stays put during a run, read once an hour instead of once per cart or claim.

Checkout asks for the live campaigns and their approved enrollments, and a
claim for its coupon template, every time; in a real deployment each API
process would hold them briefly too. The run reads them afresh every hour of
its virtual clock, so a change made meanwhile takes effect within the hour.
"""

from datetime import datetime

from dacu.domain.campaigns import Campaign
from dacu.domain.coupons import ClaimedCoupon, CouponTemplate, TemplateCounts
from dacu.domain.enrollment import Enrollment, Review
from dacu.domain.rules import Window
from dacu.services.simulation.ports import CampaignStore, CouponShelf, EnrollmentStore


class Prices:
    """Live campaigns and approved enrollments, read once an hour rather than per cart."""

    def __init__(self, campaigns: CampaignStore, enrollments: EnrollmentStore) -> None:
        self._campaigns, self._enrollments = campaigns, enrollments
        self.refresh()

    def refresh(self) -> None:
        self._live = self._campaigns.live()
        self._enrolled = {
            campaign.id: self._enrollments.of_campaign(campaign.id) for campaign in self._live
        }

    def live(self) -> list[Campaign]:
        return self._live

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]:
        found = self._enrolled.get(campaign_id)
        if found is None:
            found = self._enrolled[campaign_id] = self._enrollments.of_campaign(campaign_id)
        return [e for e in found if review is None or e.review is review]


class Templates:
    """The coupon store, its templates remembered until the next refresh."""

    def __init__(self, store: CouponShelf) -> None:
        self._store = store
        self._templates: dict[str, CouponTemplate] = {}

    def refresh(self) -> None:
        self._templates.clear()

    def template(self, template_id: str) -> CouponTemplate:
        found = self._templates.get(template_id)
        if found is None:
            found = self._templates[template_id] = self._store.template(template_id)
        return found

    def add_template(self, template: CouponTemplate, now: datetime) -> None:
        self._store.add_template(template, now)

    def counts(self, template_id: str) -> TemplateCounts:
        return self._store.counts(template_id)

    def claim(
        self,
        template: CouponTemplate,
        customer_id: str,
        request_id: str,
        coupon_id: str,
        now: datetime,
        code: str | None = None,
    ) -> ClaimedCoupon:
        return self._store.claim(template, customer_id, request_id, coupon_id, now, code)

    def code(self, code: str) -> tuple[str, Window]:
        return self._store.code(code)

    def find_claim(
        self, template_id: str, customer_id: str, request_id: str
    ) -> ClaimedCoupon | None:
        return self._store.find_claim(template_id, customer_id, request_id)

    def wallet(self, customer_id: str) -> list[ClaimedCoupon]:
        return self._store.wallet(customer_id)
