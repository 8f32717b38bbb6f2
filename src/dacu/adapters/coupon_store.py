"""Coupon templates and claims in SQL: stock and per-user limits held by the database.

A claim is one transaction: a conditional `UPDATE … SET issued = issued + 1
WHERE issued < total_stock` (the row lock makes concurrent claims on one
template queue, never overshoot), an upsert of the customer's count that only
succeeds below the limit, and the coupon row, unique per (template, customer,
request id) so a retried request finds its coupon instead of taking another.
"""

from datetime import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dacu.adapters.codec import template_from_json, template_to_json
from dacu.adapters.coupon_repository import coupon_from_row
from dacu.adapters.outbox_store import SqlOutbox
from dacu.adapters.sql import count_up_to
from dacu.adapters.tables import activity_codes, coupon_holdings, coupon_templates, coupons
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
from dacu.domain.facts import coupon_claimed
from dacu.domain.rules import ALWAYS, Window


class SqlCouponStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add_template(self, template: CouponTemplate, now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(coupon_templates).values(
                    id=template.id,
                    campaign_id=template.campaign_id,
                    name=template.name,
                    total_stock=template.total_stock,
                    per_user_limit=template.per_user_limit,
                    rule=template_to_json(template),
                    created_at=now,
                )
            )

    def template(self, template_id: str) -> CouponTemplate:
        with self._engine.connect() as connection:
            rule = connection.scalar(
                select(coupon_templates.c.rule).where(coupon_templates.c.id == template_id)
            )
        if rule is None:
            raise UnknownTemplate(template_id)
        return template_from_json(rule)

    def counts(self, template_id: str) -> TemplateCounts:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(coupon_templates.c.total_stock, coupon_templates.c.issued).where(
                    coupon_templates.c.id == template_id
                )
            ).one_or_none()
        if row is None:
            raise UnknownTemplate(template_id)
        return TemplateCounts(row.total_stock, row.issued)

    def claim(
        self,
        template: CouponTemplate,
        customer_id: str,
        request_id: str,
        coupon_id: str,
        now: datetime,
        code: str | None = None,
    ) -> ClaimedCoupon:
        """Issue one coupon, or find the one this request already got.

        With an activity `code`, one of its uses is counted in the same transaction.
        """
        try:
            with self._engine.begin() as connection:
                earlier = _claimed(connection, template.id, customer_id, request_id)
                if earlier is not None:
                    return earlier
                taken = connection.execute(
                    update(coupon_templates)
                    .where(
                        coupon_templates.c.id == template.id,
                        coupon_templates.c.issued < coupon_templates.c.total_stock,
                    )
                    .values(issued=coupon_templates.c.issued + 1)
                )
                if taken.rowcount != 1:
                    raise OutOfStock(f"{template.id} has no coupons left")
                if code is not None and not _count_code(connection, code, template.id):
                    raise OutOfStock(f"activity code {code} has been used up")
                if not _count_claim(connection, template, customer_id):
                    raise PerUserLimitReached(
                        f"{customer_id} already holds {template.per_user_limit} of {template.id}"
                    )
                expires_at = template.validity.expires_at(now)
                connection.execute(
                    insert(coupons).values(
                        id=coupon_id,
                        template_id=template.id,
                        customer_id=customer_id,
                        request_id=request_id,
                        claimed_at=now,
                        expires_at=expires_at,
                    )
                )
                SqlOutbox(connection).add(
                    coupon_claimed(coupon_id, template.id, customer_id, template.campaign_id, now)
                )
        except IntegrityError:
            # The same request raced itself: the attempt that committed stands.
            found = self.find_claim(template.id, customer_id, request_id)
            if found is None:
                raise
            return found
        return ClaimedCoupon(coupon_id, template.id, customer_id, now, expires_at)

    def add_code(
        self,
        code: str,
        template_id: str,
        max_uses: int,
        window: Window = ALWAYS,
    ) -> None:
        """An activity code (活动码) that claims from a template, `max_uses` times in all.

        A code is unique across templates: a second one of the same name is refused.
        """
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(activity_codes).values(
                        code=code,
                        template_id=template_id,
                        max_uses=max_uses,
                        starts_at=window.starts_at,
                        ends_at=window.ends_at,
                    )
                )
        except IntegrityError:
            raise InvalidRule("code", f"{code} is taken") from None

    def code(self, code: str) -> tuple[str, Window]:
        """(template id, window) of an activity code."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(activity_codes).where(activity_codes.c.code == code)
            ).one_or_none()
        if row is None:
            raise UnknownCode(f"no activity code {code}")
        return str(row.template_id), Window(row.starts_at, row.ends_at)

    def find_claim(
        self, template_id: str, customer_id: str, request_id: str
    ) -> ClaimedCoupon | None:
        with self._engine.connect() as connection:
            return _claimed(connection, template_id, customer_id, request_id)

    def wallet(self, customer_id: str) -> list[ClaimedCoupon]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(coupons).where(coupons.c.customer_id == customer_id).order_by(coupons.c.id)
            ).all()
        return [coupon_from_row(row) for row in rows]


def _claimed(
    connection: Connection, template_id: str, customer_id: str, request_id: str
) -> ClaimedCoupon | None:
    row = connection.execute(
        select(coupons).where(
            coupons.c.template_id == template_id,
            coupons.c.customer_id == customer_id,
            coupons.c.request_id == request_id,
        )
    ).one_or_none()
    return coupon_from_row(row) if row is not None else None


def _count_code(connection: Connection, code: str, template_id: str) -> bool:
    done = connection.execute(
        update(activity_codes)
        .where(
            activity_codes.c.code == code,
            activity_codes.c.template_id == template_id,
            activity_codes.c.used < activity_codes.c.max_uses,
        )
        .values(used=activity_codes.c.used + 1)
    )
    return done.rowcount == 1


def _count_claim(connection: Connection, template: CouponTemplate, customer_id: str) -> bool:
    """Add one to the customer's count unless it is at the limit (one atomic upsert)."""
    key = {"template_id": template.id, "customer_id": customer_id}
    return count_up_to(connection, coupon_holdings, key, "claimed", 1, template.per_user_limit)
