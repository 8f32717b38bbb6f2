"""The held coupons of one customer, read for pricing in one query.

Coupons and their templates come back joined; a template's rule is parsed
once per process and again only when its stored rule changes.
"""

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from dacu.adapters.codec import template_from_json
from dacu.adapters.tables import coupon_templates, coupons
from dacu.domain.coupons import CouponTemplate
from dacu.domain.wallet import WalletItem

_HELD = "held"


class SqlHeldCoupons:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._templates: dict[str, tuple[dict[str, Any], CouponTemplate]] = {}
        self._lock = threading.Lock()

    def held(self, customer_id: str, now: datetime) -> list[WalletItem]:
        query = (
            select(
                coupons.c.id, coupons.c.expires_at, coupons.c.template_id, coupon_templates.c.rule
            )
            .join(coupon_templates, coupon_templates.c.id == coupons.c.template_id)
            .where(
                coupons.c.customer_id == customer_id,
                coupons.c.status == _HELD,
                coupons.c.expires_at >= now,
            )
            .order_by(coupons.c.id)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            self._template(row.template_id, row.rule).wallet_item(row.id, row.expires_at)
            for row in rows
        ]

    def _template(self, template_id: str, rule: dict[str, Any]) -> CouponTemplate:
        known = self._templates.get(template_id)
        if known is not None and known[0] == rule:
            return known[1]
        template = template_from_json(rule)
        with self._lock:
            self._templates[template_id] = (rule, template)
        return template
