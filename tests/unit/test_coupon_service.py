"""Coupons on fakes: claims once per request within stock and per-user limits, codes,
grants, the expiry sweep, and the moves a claimed coupon may make."""

from datetime import timedelta

import pytest

from dacu.domain.coupons import (
    Claimant,
    ClaimWindowClosed,
    CouponStatus,
    CouponUnavailable,
    OutOfStock,
    PerUserLimitReached,
    UnknownCode,
    UnknownTemplate,
)
from dacu.domain.rules import Window
from tests.unit.order_rig import NOW, Rig, rig, template


@pytest.fixture
def shop() -> Rig:
    return rig()


def test_a_retried_claim_gets_the_same_coupon_and_takes_no_more_stock(shop):
    first = shop.coupons.claim("t-300-30", Claimant("u1"), "r1")
    assert shop.coupons.claim("t-300-30", Claimant("u1"), "r1") == first
    assert first.status is CouponStatus.HELD
    assert shop.coupons.counts("t-300-30").issued == 1


def test_claims_stop_at_the_per_user_limit_and_at_the_stock(shop):
    shop.coupons.claim("t-300-30", Claimant("u1"), "r1")
    with pytest.raises(PerUserLimitReached):
        shop.coupons.claim("t-300-30", Claimant("u1"), "r2")
    shop.coupons.claim("t-300-30", Claimant("u2"), "r1")
    shop.coupons.claim("t-300-30", Claimant("u3"), "r1")
    with pytest.raises(OutOfStock):
        shop.coupons.claim("t-300-30", Claimant("u4"), "r1")
    assert shop.coupons.counts("t-300-30").left == 0


def test_a_claim_outside_the_window_or_of_no_template_is_refused(shop):
    with pytest.raises(ClaimWindowClosed):
        shop.coupons.claim("t-300-30", Claimant("u1"), "r1", NOW + timedelta(days=5))
    with pytest.raises(UnknownTemplate):
        shop.coupons.claim("nope", Claimant("u1"), "r1")


def test_an_activity_code_claims_once_per_customer_within_its_uses(shop):
    shop.coupons.add_code("DOUBLE11", "t-300-30", max_uses=2)
    first = shop.coupons.claim_with_code("DOUBLE11", Claimant("u1"))
    assert shop.coupons.claim_with_code("DOUBLE11", Claimant("u1")) == first
    shop.coupons.claim_with_code("DOUBLE11", Claimant("u2"))
    with pytest.raises(OutOfStock):
        shop.coupons.claim_with_code("DOUBLE11", Claimant("u3"))
    with pytest.raises(UnknownCode):
        shop.coupons.claim_with_code("NOPE", Claimant("u1"))
    shop.coupons.add_code("LATE", "t-300-30", 5, Window(NOW + timedelta(days=1), None))
    with pytest.raises(ClaimWindowClosed):
        shop.coupons.claim_with_code("LATE", Claimant("u1"))


def test_a_bulk_grant_goes_as_far_as_stock_and_never_twice(shop):
    outcomes = shop.coupons.grant("t-300-30", ["a", "b", "c", "d"], "vip-1")
    assert outcomes == {"a": "issued", "b": "issued", "c": "issued", "d": "out_of_stock"}
    assert shop.coupons.grant("t-300-30", ["a", "b"], "vip-1") == {"a": "issued", "b": "issued"}
    assert shop.coupons.counts("t-300-30").issued == 3


def test_the_sweep_expires_only_held_coupons_past_their_time(shop):
    shop.coupons.add_template(template(id="t2", per_user_limit=2, total_stock=9), NOW)
    kept = shop.coupons.claim("t2", Claimant("u1"), "r1")
    locked = shop.coupons.claim("t2", Claimant("u1"), "r2")
    shop.shop.coupons[locked.id] = locked.lock("u1", "o1", NOW)
    assert shop.coupons.expire(NOW) == 0
    assert shop.coupons.expire(NOW + timedelta(days=8)) == 1
    assert shop.shop.coupons[kept.id].status is CouponStatus.EXPIRED
    assert shop.shop.coupons[locked.id].status is CouponStatus.LOCKED


def test_a_coupon_locks_for_its_holder_only_while_usable_and_free(shop):
    coupon = shop.coupons.claim("t-300-30", Claimant("u1"), "r1")
    with pytest.raises(CouponUnavailable):
        coupon.lock("u2", "o1", NOW)
    with pytest.raises(CouponUnavailable):
        coupon.lock("u1", "o1", coupon.expires_at + timedelta(seconds=1))
    locked = coupon.lock("u1", "o1", NOW)
    with pytest.raises(CouponUnavailable):
        locked.lock("u1", "o2", NOW)
    with pytest.raises(CouponUnavailable):
        coupon.redeem("o1")  # never locked
    with pytest.raises(CouponUnavailable):
        locked.redeem("o2")  # another order's
    redeemed = locked.redeem("o1")
    assert redeemed.follow("o1", CouponStatus.REDEEMED) is redeemed
    back = redeemed.follow("o1", CouponStatus.HELD)
    assert (back.status, back.order_id) == (CouponStatus.HELD, None)
    with pytest.raises(CouponUnavailable):
        redeemed.expire(NOW + timedelta(days=30))
