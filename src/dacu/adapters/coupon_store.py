"""Coupon templates and claims in SQL: stock and per-user limits held by the database.

A claim is one transaction: a conditional `UPDATE … SET issued = issued + 1
WHERE issued < total_stock` (the row lock makes concurrent claims on one
template queue, never overshoot), an upsert of the customer's count that only
succeeds below the limit, and the coupon row, unique per (template, customer,
request id) so a retried request finds its coupon instead of taking another.
"""

from datetime import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dacu.adapters.codec import template_from_json, template_to_json
from dacu.adapters.tables import coupon_holdings, coupon_templates, coupons
from dacu.domain.coupons import (
    ClaimedCoupon,
    CouponTemplate,
    OutOfStock,
    PerUserLimitReached,
    TemplateCounts,
)


class UnknownTemplate(LookupError):
    """No coupon template has that id."""


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
    ) -> ClaimedCoupon:
        """Issue one coupon, or find the one this request already got."""
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
        except IntegrityError:
            # The same request raced itself: the attempt that committed stands.
            found = self.find_claim(template.id, customer_id, request_id)
            if found is None:
                raise
            return found
        return ClaimedCoupon(coupon_id, template.id, customer_id, now, expires_at, "held")

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
        return [_coupon(row) for row in rows]


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
    return _coupon(row) if row is not None else None


def _coupon(row: object) -> ClaimedCoupon:
    return ClaimedCoupon(
        row.id,  # type: ignore[attr-defined]
        row.template_id,  # type: ignore[attr-defined]
        row.customer_id,  # type: ignore[attr-defined]
        row.claimed_at,  # type: ignore[attr-defined]
        row.expires_at,  # type: ignore[attr-defined]
        row.status,  # type: ignore[attr-defined]
    )


def _count_claim(connection: Connection, template: CouponTemplate, customer_id: str) -> bool:
    """Add one to the customer's count unless it is at the limit (one atomic upsert)."""
    dialect = connection.dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = (
        make(coupon_holdings)
        .values(template_id=template.id, customer_id=customer_id, claimed=1)
        .on_conflict_do_update(
            index_elements=[coupon_holdings.c.template_id, coupon_holdings.c.customer_id],
            set_={"claimed": coupon_holdings.c.claimed + 1},
            where=coupon_holdings.c.claimed < template.per_user_limit,
        )
        .returning(coupon_holdings.c.claimed)
    )
    return connection.execute(upsert).first() is not None
