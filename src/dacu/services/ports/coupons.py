"""Coupons: templates and claims held to their counters, and claimed coupons' states.

Claims (`CouponStore`) are one atomic take each: stock, the customer's limit and
the coupon row in one transaction. After the claim, a coupon's moves are
`ClaimedCoupon` methods; `CouponRepository` only loads and saves them, each save
conditional on the state the coupon was loaded in.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from dacu.domain.coupons import ClaimedCoupon, CouponStatus, CouponTemplate, TemplateCounts
from dacu.domain.rules import Window


class CouponStore(Protocol):
    def add_template(self, template: CouponTemplate, now: datetime) -> None: ...

    def template(self, template_id: str) -> CouponTemplate:
        """UnknownTemplate if no template has that id."""
        ...

    def counts(self, template_id: str) -> TemplateCounts: ...

    def claim(
        self,
        template: CouponTemplate,
        customer_id: str,
        request_id: str,
        coupon_id: str,
        now: datetime,
        code: str | None = None,
    ) -> ClaimedCoupon:
        """Issue one coupon (or find the one this request got): OutOfStock,
        PerUserLimitReached; with a `code`, one of its uses is counted too."""
        ...

    def code(self, code: str) -> tuple[str, Window]:
        """(template id, window) of an activity code; UnknownCode."""
        ...

    def find_claim(
        self, template_id: str, customer_id: str, request_id: str
    ) -> ClaimedCoupon | None: ...

    def wallet(self, customer_id: str) -> list[ClaimedCoupon]: ...


class ActivityCodes(Protocol):
    def add_code(self, code: str, template_id: str, max_uses: int, window: Window) -> None:
        """A new activity code (活动码); InvalidRule if the name is taken."""
        ...


class CouponRepository(Protocol):
    def get_many(self, coupon_ids: Sequence[str]) -> list[ClaimedCoupon]:
        """Those of the coupons that exist (locked for this transaction where the
        database can)."""
        ...

    def of_order(self, order_id: str) -> list[ClaimedCoupon]:
        """The coupons an order has locked or redeemed."""
        ...

    def held_past(self, now: datetime) -> list[ClaimedCoupon]:
        """Held coupons whose time ran out before `now`."""
        ...

    def save(self, coupon: ClaimedCoupon, was: CouponStatus) -> None:
        """Write the coupon's state; ConcurrentChange unless it is still `was`."""
        ...
