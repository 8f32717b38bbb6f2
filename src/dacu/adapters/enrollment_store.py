"""Merchants and their enrollments in SQL; an approval puts the committed stock on sale."""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from dacu.adapters.audit import record
from dacu.adapters.sql import put_row
from dacu.adapters.tables import enrollments, merchants, stock
from dacu.domain.enrollment import (
    Enrollment,
    EnrollmentStateError,
    Merchant,
    Review,
    UnknownEnrollment,
    UnknownMerchant,
)


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
        with self._engine.connect() as connection:
            row = connection.execute(
                select(merchants).where(merchants.c.shop == shop)
            ).one_or_none()
        if row is None:
            raise UnknownMerchant(shop)
        return Merchant(
            row.shop,
            bool(row.verified),
            row.rating_bp,
            row.last_serious_violation,
            tuple(row.categories),
        )

    def enroll(self, enrollment: Enrollment) -> Enrollment:
        """Enroll a SKU; enrolling it again while pending replaces the terms."""
        with self._engine.begin() as connection:
            row = connection.execute(
                select(enrollments).where(
                    enrollments.c.campaign_id == enrollment.campaign_id,
                    enrollments.c.sku == enrollment.sku,
                )
            ).one_or_none()
            values = _values(enrollment)
            if row is None:
                connection.execute(insert(enrollments).values(id=enrollment.id, **values))
                return enrollment
            if row.review != Review.PENDING.value or row.shop != enrollment.shop:
                raise EnrollmentStateError(f"{enrollment.sku} is already enrolled and reviewed")
            connection.execute(
                update(enrollments).where(enrollments.c.id == row.id).values(**values)
            )
        return _enrollment({**values, "id": row.id})

    def review(
        self, enrollment_id: str, approve: bool, reviewer: str, note: str, now: datetime
    ) -> Enrollment:
        """An operator's decision; approval sets the SKU's stock to what was committed."""
        verdict = Review.APPROVED if approve else Review.REJECTED
        with self._engine.begin() as connection:
            row = connection.execute(
                select(enrollments).where(enrollments.c.id == enrollment_id)
            ).one_or_none()
            if row is None:
                raise UnknownEnrollment(enrollment_id)
            if row.review != Review.PENDING.value:
                raise EnrollmentStateError(f"enrollment {enrollment_id} was already {row.review}")
            connection.execute(
                update(enrollments)
                .where(enrollments.c.id == enrollment_id)
                .values(review=verdict.value, note=note)
            )
            if approve:
                put_row(connection, stock, {"sku": row.sku}, {"available": row.committed_stock})
            record(
                connection,
                actor=reviewer,
                action="enrollment.review",
                subject=f"campaign:{row.campaign_id}",
                before={"enrollment": enrollment_id, "review": row.review},
                after={"enrollment": enrollment_id, "review": verdict.value, "note": note},
                at=now,
            )
        return _enrollment({**dict(row._mapping), "review": verdict.value, "note": note})

    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]:
        query = select(enrollments).where(enrollments.c.campaign_id == campaign_id)
        if review is not None:
            query = query.where(enrollments.c.review == review.value)
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(enrollments.c.sku)).all()
        return [_enrollment(dict(row._mapping)) for row in rows]


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


def _enrollment(row: dict[str, Any]) -> Enrollment:
    return Enrollment(
        id=row["id"],
        campaign_id=row["campaign_id"],
        shop=row["shop"],
        sku=row["sku"],
        list_price=row["list_price"],
        campaign_price=row["campaign_price"],
        committed_stock=row["committed_stock"],
        review=Review(row["review"]),
        note=row["note"],
    )
