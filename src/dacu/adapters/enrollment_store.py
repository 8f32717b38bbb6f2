"""Merchants and their enrollments in SQL: loaded and saved, racing writes conditional.

An approval's committed stock goes on sale in the review's own transaction.
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from dacu.adapters.audit import record
from dacu.adapters.sql import put_row
from dacu.adapters.tables import campaigns, enrollments, merchants, stock
from dacu.domain.enrollment import Enrollment, Merchant, Review, UnknownEnrollment, UnknownMerchant
from dacu.domain.errors import ConcurrentChange

PENDING = Review.PENDING.value


class SqlEnrollmentStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put_merchant(self, merchant: Merchant) -> None:
        values = {
            "verified": int(merchant.verified),
            "rating_bp": merchant.rating_bp,
            "last_serious_violation": merchant.last_serious_violation,
            "categories": list(merchant.categories),
        }
        with self._engine.begin() as connection:
            put_row(connection, merchants, {"shop": merchant.shop}, values)

    def merchant(self, shop: str) -> Merchant:
        found = self.merchants([shop])
        if shop not in found:
            raise UnknownMerchant(shop)
        return found[shop]

    def merchants(self, shops: Collection[str]) -> dict[str, Merchant]:
        if not shops:
            return {}
        with self._engine.connect() as connection:
            rows = connection.execute(select(merchants).where(merchants.c.shop.in_(shops))).all()
        return {row.shop: _merchant(row) for row in rows}

    def get(self, enrollment_id: str) -> Enrollment:
        found = self._one(enrollments.c.id == enrollment_id)
        if found is None:
            raise UnknownEnrollment(enrollment_id)
        return found

    def find(self, campaign_id: str, sku: str) -> Enrollment | None:
        return self._one(enrollments.c.campaign_id == campaign_id, enrollments.c.sku == sku)

    def add(self, enrollment: Enrollment) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(enrollments).values(id=enrollment.id, **_values(enrollment))
                )
        except IntegrityError:
            raise ConcurrentChange(f"{enrollment.sku} was enrolled meanwhile", "sku") from None

    def replace_terms(self, enrollment: Enrollment) -> None:
        with self._engine.begin() as connection:
            done = connection.execute(
                update(enrollments)
                .where(
                    enrollments.c.id == enrollment.id,
                    enrollments.c.shop == enrollment.shop,
                    enrollments.c.review == PENDING,
                )
                .values(**_values(enrollment))
            )
        if done.rowcount != 1:
            raise ConcurrentChange(f"enrollment {enrollment.id} was reviewed meanwhile")

    def save_review(self, reviewed: Enrollment, reviewer: str, now: datetime) -> None:
        with self._engine.begin() as connection:
            done = connection.execute(
                update(enrollments)
                .where(enrollments.c.id == reviewed.id, enrollments.c.review == PENDING)
                .values(review=reviewed.review.value, note=reviewed.note)
            )
            if done.rowcount != 1:
                raise ConcurrentChange(f"enrollment {reviewed.id} was reviewed meanwhile")
            if reviewed.on_sale is not None:
                put_row(connection, stock, {"sku": reviewed.sku}, {"available": reviewed.on_sale})
            if reviewed.review is Review.APPROVED:  # the campaign prices one SKU more
                connection.execute(
                    update(campaigns)
                    .where(campaigns.c.id == reviewed.campaign_id)
                    .values(revision=campaigns.c.revision + 1)
                )
            record(
                connection,
                actor=reviewer,
                action="enrollment.review",
                subject=f"campaign:{reviewed.campaign_id}",
                before={"enrollment": reviewed.id, "review": PENDING},
                after={
                    "enrollment": reviewed.id,
                    "review": reviewed.review.value,
                    "note": reviewed.note,
                },
                at=now,
            )

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]:
        query = select(enrollments).where(enrollments.c.campaign_id == campaign_id)
        if review is not None:
            query = query.where(enrollments.c.review == review.value)
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(enrollments.c.sku)).all()
        return [_enrollment(row) for row in rows]

    def _one(self, *where: Any) -> Enrollment | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(enrollments).where(*where)).one_or_none()
        return None if row is None else _enrollment(row)


def _values(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "campaign_id": enrollment.campaign_id,
        "shop": enrollment.shop,
        "sku": enrollment.sku,
        "list_price": enrollment.list_price,
        "campaign_price": enrollment.campaign_price,
        "committed_stock": enrollment.committed_stock,
        "review": enrollment.review.value,
        "note": enrollment.note,
    }


def _merchant(row: Any) -> Merchant:
    return Merchant(
        row.shop,
        bool(row.verified),
        row.rating_bp,
        row.last_serious_violation,
        tuple(row.categories),
    )


def _enrollment(row: Any) -> Enrollment:
    return Enrollment(
        id=row.id,
        campaign_id=row.campaign_id,
        shop=row.shop,
        sku=row.sku,
        list_price=row.list_price,
        campaign_price=row.campaign_price,
        committed_stock=row.committed_stock,
        review=Review(row.review),
        note=row.note,
    )
