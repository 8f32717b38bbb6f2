"""Claiming coupons (领券): the rules first, then the atomic take from stock."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from dacu.domain.coupons import (
    Claimant,
    ClaimedCoupon,
    ClaimRefused,
    ClaimWindowClosed,
    CouponTemplate,
    TemplateCounts,
)
from dacu.domain.rules import Window


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
        code: str | None = None,
    ) -> ClaimedCoupon: ...

    def code(self, code: str) -> tuple[str, Window]: ...

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


def claim_with_code(
    store: CouponStore,
    code: str,
    claimant: Claimant,
    now: datetime,
    new_id: Callable[[], str],
) -> ClaimedCoupon:
    """活动码: a code claims its template's coupon, once per customer, within its uses."""
    template_id, window = store.code(code)
    request_id = f"code:{code}"
    earlier = store.find_claim(template_id, claimant.id, request_id)
    if earlier is not None:
        return earlier
    if not window.contains(now):
        raise ClaimWindowClosed(f"activity code {code} is not valid now")
    template = store.template(template_id)
    template.check_claim(claimant, now)
    return store.claim(template, claimant.id, request_id, new_id(), now, code=code)


def grant(
    store: CouponStore,
    template_id: str,
    customer_ids: Sequence[str],
    batch: str,
    now: datetime,
    new_id: Callable[[], str],
) -> dict[str, str]:
    """Bulk grant (定向发券): one coupon to each customer, as far as stock and limits go.

    Granting the same `batch` again gives nobody a second coupon. Returns each
    customer's outcome: "issued" or the refusal code. The claim window and
    audience do not apply: the operator chose these customers.
    """
    template = store.template(template_id)
    outcomes: dict[str, str] = {}
    for customer_id in dict.fromkeys(customer_ids):
        try:
            store.claim(template, customer_id, f"grant:{batch}", new_id(), now)
        except ClaimRefused as refused:
            outcomes[customer_id] = refused.code
        else:
            outcomes[customer_id] = "issued"
    return outcomes
