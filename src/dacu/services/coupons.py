"""Claiming coupons (领券): the rules first, then the atomic take from stock."""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from dacu.domain.coupons import Claimant, ClaimedCoupon, CouponTemplate, TemplateCounts


class CouponStore(Protocol):
    def add_template(self, template: CouponTemplate, now: datetime) -> None: ...

    def template(self, template_id: str) -> CouponTemplate: ...

    def counts(self, template_id: str) -> TemplateCounts: ...

    def claim(
        self,
        template: CouponTemplate,
        customer_id: str,
        request_id: str,
        coupon_id: str,
        now: datetime,
    ) -> ClaimedCoupon: ...

    def find_claim(
        self, template_id: str, customer_id: str, request_id: str
    ) -> ClaimedCoupon | None: ...


def claim_coupon(
    store: CouponStore,
    template_id: str,
    claimant: Claimant,
    request_id: str,
    now: datetime,
    new_id: Callable[[], str],
) -> ClaimedCoupon:
    """Give `claimant` one coupon of the template, once per `request_id`.

    A retried request gets the coupon it already got, even once the claim
    window has closed or the stock has run out since.
    """
    earlier = store.find_claim(template_id, claimant.id, request_id)
    if earlier is not None:
        return earlier
    template = store.template(template_id)
    template.check_claim(claimant, now)
    return store.claim(template, claimant.id, request_id, new_id(), now)
