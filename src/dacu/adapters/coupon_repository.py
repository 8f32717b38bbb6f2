"""Claimed coupons in SQL, on the unit of work's connection: load, and save conditionally.

Which move is legal is `ClaimedCoupon`'s to say. A save is `UPDATE … WHERE id = ?
AND status = ?` (the state it was loaded in), so two orders can never lock one
coupon and a released coupon is never redeemed; on PostgreSQL the coupons an
order names are locked in id order (`FOR UPDATE`), so checkouts never deadlock.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from dacu.adapters.tables import coupons
from dacu.domain.coupons import ClaimedCoupon, CouponStatus
from dacu.domain.errors import ConcurrentChange


class SqlCouponRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get_many(self, coupon_ids: Sequence[str]) -> list[ClaimedCoupon]:
        if not coupon_ids:
            return []
        query = select(coupons).where(coupons.c.id.in_(list(coupon_ids))).order_by(coupons.c.id)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return [coupon_from_row(row) for row in self._connection.execute(query)]

    def of_order(self, order_id: str) -> list[ClaimedCoupon]:
        query = (
            select(coupons).where(coupons.c.redeemed_order_id == order_id).order_by(coupons.c.id)
        )
        return [coupon_from_row(row) for row in self._connection.execute(query)]

    def held_past(self, now: datetime) -> list[ClaimedCoupon]:
        query = select(coupons).where(
            coupons.c.status == CouponStatus.HELD.value, coupons.c.expires_at < now
        )
        return [coupon_from_row(row) for row in self._connection.execute(query)]

    def save(self, coupon: ClaimedCoupon, was: CouponStatus) -> None:
        done = self._connection.execute(
            update(coupons)
            .where(coupons.c.id == coupon.id, coupons.c.status == was.value)
            .values(status=coupon.status.value, redeemed_order_id=coupon.order_id)
        )
        if done.rowcount != 1:
            raise ConcurrentChange(f"coupon {coupon.id} changed meanwhile; retry")


def coupon_from_row(row: Any) -> ClaimedCoupon:
    return ClaimedCoupon(
        row.id,
        row.template_id,
        row.customer_id,
        row.claimed_at,
        row.expires_at,
        CouponStatus(row.status),
        row.redeemed_order_id,
    )
