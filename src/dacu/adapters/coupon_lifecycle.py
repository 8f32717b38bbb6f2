"""What happens to a claimed coupon after the claim: locked by an order, redeemed at
payment (核销), released on cancel, expired when its time is up.

Every change is one conditional UPDATE, so two orders can never lock the same
coupon and a released coupon cannot be redeemed. The functions take the
caller's connection, so checkout and payment move coupons in their own
transaction.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.engine import Connection

from dacu.adapters.tables import coupons
from dacu.domain.coupons import CouponUnavailable


class SqlCouponLifecycle:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def lock(
        self, coupon_ids: Sequence[str], customer_id: str, order_id: str, now: datetime
    ) -> None:
        """Hold the coupons for an order at checkout; all or none."""
        with self._engine.begin() as connection:
            lock_coupons(connection, coupon_ids, customer_id, order_id, now)

    def redeem(self, order_id: str) -> int:
        """核销: the order is paid; its locked coupons are spent."""
        with self._engine.begin() as connection:
            return move_coupons(connection, order_id, ["locked"], "redeemed")

    def release(self, order_id: str) -> int:
        """The order is cancelled (or refunded whole): its coupons go back to the wallet."""
        with self._engine.begin() as connection:
            return move_coupons(connection, order_id, ["locked", "redeemed"], "held")

    def expire(self, now: datetime) -> int:
        """Mark every held coupon past its time as expired (one sweep)."""
        with self._engine.begin() as connection:
            done = connection.execute(
                update(coupons)
                .where(coupons.c.status == "held", coupons.c.expires_at < now)
                .values(status="expired")
            )
        return done.rowcount


def lock_coupons(
    connection: Connection,
    coupon_ids: Sequence[str],
    customer_id: str,
    order_id: str,
    now: datetime,
) -> None:
    """Lock the customer's usable coupons for an order, inside the caller's transaction."""
    for coupon_id in coupon_ids:
        done = connection.execute(
            update(coupons)
            .where(
                coupons.c.id == coupon_id,
                coupons.c.customer_id == customer_id,
                coupons.c.status == "held",
                coupons.c.expires_at >= now,
            )
            .values(status="locked", redeemed_order_id=order_id)
        )
        if done.rowcount != 1:
            raise CouponUnavailable(f"coupon {coupon_id} cannot be used on this order")


def move_coupons(connection: Connection, order_id: str, before: Sequence[str], after: str) -> int:
    """Move an order's coupons from one of `before` to `after`; held again means free."""
    values: dict[str, object] = {"status": after}
    if after == "held":
        values["redeemed_order_id"] = None
    done = connection.execute(
        update(coupons)
        .where(coupons.c.redeemed_order_id == order_id, coupons.c.status.in_(list(before)))
        .values(**values)
    )
    return done.rowcount
