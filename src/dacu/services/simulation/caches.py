"""What stays put during a run, read once an hour instead of once per cart or claim.

Checkout asks for the live campaigns and their approved enrollments, and a
claim for its coupon template, every time; in a real deployment each API
process would hold them briefly too. The run reads them afresh every hour of
its virtual clock, so a change made meanwhile takes effect within the hour.
"""

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime

from dacu.domain.campaigns import Campaign
from dacu.domain.cart import Cart, Customer
from dacu.domain.coupons import ClaimedCoupon, CouponTemplate
from dacu.domain.enrollment import Enrollment, Review
from dacu.domain.pricing import PriceResult
from dacu.services.budgets import bases_of
from dacu.services.quotes import Wallets, check_purchase_limits, quote
from dacu.services.simulation.ports import CampaignStore, EnrollmentStore


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
    """The customers' wallets, their coupons' templates remembered until the next refresh."""

    def __init__(self, coupons: Wallets) -> None:
        self._coupons = coupons
        self._templates: dict[str, CouponTemplate] = {}

    def refresh(self) -> None:
        self._templates.clear()

    def template(self, template_id: str) -> CouponTemplate:
        found = self._templates.get(template_id)
        if found is None:
            found = self._templates[template_id] = self._coupons.template(template_id)
        return found

    def wallet(self, customer_id: str) -> list[ClaimedCoupon]:
        return self._coupons.wallet(customer_id)


class CachedPricing:
    """`Pricing` over the hour's cached campaigns, enrollments and templates."""

    def __init__(self, prices: Prices, coupons: Templates) -> None:
        self._prices, self._coupons = prices, coupons

    def quote(
        self,
        cart: Cart,
        customer: Customer,
        now: datetime,
        *,
        explain: bool = False,
        spent: AbstractSet[str] = frozenset(),
    ) -> PriceResult:
        return quote(
            self._prices,
            self._coupons,
            cart,
            customer,
            now,
            enrollments=self._prices,
            explain=explain,
            spent=spent,
        )

    def bases(self, now: datetime) -> dict[str, int]:
        """The hour's live campaigns' budgets, drawn at checkout like any process's."""
        return bases_of(self._prices.live())

    def moved(self, budgets: Mapping[str, int]) -> None:
        return None

    def check_purchase_limits(
        self, cart: Cart, customer: Customer, now: datetime
    ) -> dict[str, int]:
        return check_purchase_limits(self._prices, self._prices, cart, customer)
