"""CouponStore and ActivityCodes over a `FakeShop`'s coupons: stock, per-user limits and
code uses held as the SQL store holds them, all or nothing per claim."""

from dataclasses import dataclass, field
from datetime import datetime

from dacu.domain.coupons import (
    ClaimedCoupon,
    CouponTemplate,
    OutOfStock,
    PerUserLimitReached,
    TemplateCounts,
    UnknownCode,
    UnknownTemplate,
)
from dacu.domain.errors import InvalidRule
from dacu.domain.rules import ALWAYS, Window
from tests.fakes.orders import FakeShop


@dataclass
class FakeCouponStore:
    shop: FakeShop
    templates: dict[str, CouponTemplate] = field(default_factory=dict)
    issued: dict[str, int] = field(default_factory=dict)
    claims: dict[tuple[str, str, str], str] = field(default_factory=dict)  # → coupon id
    codes: dict[str, tuple[str, int, Window]] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)

    def add_template(self, template: CouponTemplate, now: datetime) -> None:
        self.templates[template.id] = template
        self.issued[template.id] = 0

    def template(self, template_id: str) -> CouponTemplate:
        if template_id not in self.templates:
            raise UnknownTemplate(template_id)
        return self.templates[template_id]

    def counts(self, template_id: str) -> TemplateCounts:
        return TemplateCounts(self.template(template_id).total_stock, self.issued[template_id])

    def claim(
        self,
        template: CouponTemplate,
        customer_id: str,
        request_id: str,
        coupon_id: str,
        now: datetime,
        code: str | None = None,
    ) -> ClaimedCoupon:
        earlier = self.find_claim(template.id, customer_id, request_id)
        if earlier is not None:
            return earlier
        if self.issued[template.id] >= template.total_stock:
            raise OutOfStock(f"{template.id} has no coupons left")
        if code is not None and self.used.get(code, 0) >= self.codes[code][1]:
            raise OutOfStock(f"activity code {code} has been used up")
        held = sum(1 for key in self.claims if key[:2] == (template.id, customer_id))
        if held >= template.per_user_limit:
            raise PerUserLimitReached(f"{customer_id} holds {held} of {template.id}")
        self.issued[template.id] += 1
        if code is not None:
            self.used[code] = self.used.get(code, 0) + 1
        coupon = ClaimedCoupon(
            coupon_id, template.id, customer_id, now, template.validity.expires_at(now)
        )
        self.claims[(template.id, customer_id, request_id)] = coupon_id
        self.shop.coupons[coupon_id] = coupon
        return coupon

    def add_code(self, code: str, template_id: str, max_uses: int, window: Window = ALWAYS) -> None:
        if code in self.codes:
            raise InvalidRule("code", f"{code} is taken")
        self.codes[code] = (template_id, max_uses, window)

    def code(self, code: str) -> tuple[str, Window]:
        if code not in self.codes:
            raise UnknownCode(f"no activity code {code}")
        return self.codes[code][0], self.codes[code][2]

    def find_claim(
        self, template_id: str, customer_id: str, request_id: str
    ) -> ClaimedCoupon | None:
        found = self.claims.get((template_id, customer_id, request_id))
        return None if found is None else self.shop.coupons[found]

    def wallet(self, customer_id: str) -> list[ClaimedCoupon]:
        return sorted(
            (c for c in self.shop.coupons.values() if c.customer_id == customer_id),
            key=lambda c: c.id,
        )
