"""After the claim: locks, 核销, release, expiry, activity codes and bulk grants."""

from datetime import timedelta

import pytest

from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.domain.coupons import (
    Claimant,
    ClaimWindowClosed,
    CouponStatus,
    CouponUnavailable,
    OutOfStock,
    UnknownCode,
)
from dacu.domain.rules import Window
from dacu.services.coupons import CouponService, claim_with_code, grant
from tests.integration.test_coupon_claims import NOW, claim, new_id, template

pytestmark = pytest.mark.integration


@pytest.fixture
def store(engine) -> SqlCouponStore:
    store = SqlCouponStore(engine)
    store.add_template(template(total_stock=3, per_user_limit=1), NOW)
    return store


class Lifecycle:
    """A coupon's moves as the order service makes them: domain methods, saved in a unit
    of work conditionally on the state each coupon was loaded in."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.service = CouponService(
            SqlCouponStore(engine), SqlCouponStore(engine), self.uow, lambda: NOW, new_id
        )

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def lock(self, coupon_ids, customer_id, order_id, now) -> None:
        with self.uow() as uow:
            found = {c.id: c for c in uow.coupons.get_many(coupon_ids)}
            for coupon_id in coupon_ids:
                if coupon_id not in found:
                    raise CouponUnavailable(coupon_id)
                coupon = found[coupon_id]
                uow.coupons.save(coupon.lock(customer_id, order_id, now), coupon.status)

    def follow(self, order_id: str, status: CouponStatus) -> int:
        with self.uow() as uow:
            held = uow.coupons.of_order(order_id)
            for coupon in held:
                uow.coupons.save(coupon.follow(order_id, status), coupon.status)
        return len(held)

    def redeem(self, order_id: str) -> int:
        return self.follow(order_id, CouponStatus.REDEEMED)

    def release(self, order_id: str) -> int:
        return self.follow(order_id, CouponStatus.HELD)

    def expire(self, now) -> int:
        return self.service.expire(now)


@pytest.fixture
def lifecycle(engine) -> Lifecycle:
    return Lifecycle(engine)


def status(store: SqlCouponStore, customer: str) -> list[str]:
    return [coupon.status for coupon in store.wallet(customer)]


def test_an_order_locks_then_redeems_its_coupon(store, lifecycle):
    coupon = claim(store, "u1", "r1")
    lifecycle.lock([coupon.id], "u1", "order-1", NOW)
    assert status(store, "u1") == ["locked"]
    assert lifecycle.redeem("order-1") == 1
    assert status(store, "u1") == ["redeemed"]


def test_a_coupon_cannot_be_locked_twice_or_by_someone_else(store, lifecycle):
    coupon = claim(store, "u1", "r1")
    with pytest.raises(CouponUnavailable):
        lifecycle.lock([coupon.id], "u2", "order-2", NOW)
    lifecycle.lock([coupon.id], "u1", "order-1", NOW)
    with pytest.raises(CouponUnavailable):
        lifecycle.lock([coupon.id], "u1", "order-3", NOW)


def test_locking_is_all_or_none(store, lifecycle):
    first = claim(store, "u1", "r1")
    with pytest.raises(CouponUnavailable):
        lifecycle.lock([first.id, "no-such-coupon"], "u1", "order-1", NOW)
    assert status(store, "u1") == ["held"]


def test_cancel_and_full_refund_give_the_coupon_back(store, lifecycle):
    coupon = claim(store, "u1", "r1")
    lifecycle.lock([coupon.id], "u1", "order-1", NOW)
    lifecycle.redeem("order-1")
    assert lifecycle.release("order-1") == 1
    assert status(store, "u1") == ["held"]


def test_an_expired_coupon_cannot_be_locked_and_the_sweep_marks_it(store, lifecycle):
    coupon = claim(store, "u1", "r1")
    later = NOW + timedelta(days=8)
    with pytest.raises(CouponUnavailable):
        lifecycle.lock([coupon.id], "u1", "order-1", later)
    assert lifecycle.expire(later) == 1
    assert status(store, "u1") == ["expired"]


def test_an_activity_code_claims_once_per_customer_within_its_uses(store):
    store.add_code("DOUBLE11", "t-300-30", max_uses=2)
    first = claim_with_code(store, "DOUBLE11", Claimant("u1"), NOW, new_id)
    again = claim_with_code(store, "DOUBLE11", Claimant("u1"), NOW, new_id)
    assert again.id == first.id
    claim_with_code(store, "DOUBLE11", Claimant("u2"), NOW, new_id)
    with pytest.raises(OutOfStock):
        claim_with_code(store, "DOUBLE11", Claimant("u3"), NOW, new_id)
    assert store.counts("t-300-30").issued == 2  # the refused code took no coupon


def test_unknown_or_out_of_window_codes_are_refused(store):
    with pytest.raises(UnknownCode):
        claim_with_code(store, "NOPE", Claimant("u1"), NOW, new_id)
    store.add_code("LATE", "t-300-30", 5, Window(NOW + timedelta(days=1), None))
    with pytest.raises(ClaimWindowClosed):
        claim_with_code(store, "LATE", Claimant("u1"), NOW, new_id)


def test_bulk_grant_goes_as_far_as_stock_and_never_twice(store):
    outcomes = grant(store, "t-300-30", ["a", "b", "c", "d"], "vip-1", NOW, new_id)
    assert outcomes == {"a": "issued", "b": "issued", "c": "issued", "d": "out_of_stock"}
    assert grant(store, "t-300-30", ["a", "b"], "vip-1", NOW, new_id) == {
        "a": "issued",
        "b": "issued",
    }
    assert store.counts("t-300-30").issued == 3
