from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.campaigns import Eligibility
from dacu.domain.enrollment import (
    Enrollment,
    EnrollmentStateError,
    Merchant,
    Review,
    ineligibility,
    is_priority,
)
from dacu.domain.errors import InvalidRule

NOW = datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
RULES = Eligibility(True, 9000, 90, ("appliances", "digital", "beauty"))


def test_a_verified_well_rated_clean_shop_qualifies_and_priority_categories_show():
    shop = Merchant("s1", True, 9600, NOW - timedelta(days=200), ("digital",))
    assert ineligibility(shop, RULES, NOW) == []
    assert is_priority(shop, RULES)


def test_every_reason_a_shop_fails_is_said():
    shop = Merchant("s2", False, 8000, NOW - timedelta(days=10))
    assert len(ineligibility(shop, RULES, NOW)) == 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"campaign_price": 5000}, "campaign_price"), ({"committed_stock": 0}, "committed_stock")],
)
def test_an_enrollment_must_cut_the_price_and_commit_stock(fields, field):
    terms = {"list_price": 5000, "campaign_price": 4000, "committed_stock": 30} | fields
    with pytest.raises(InvalidRule) as refused:
        Enrollment("e1", "c1", "s1", "K1", **terms)
    assert refused.value.field == field


def test_a_pending_enrollment_is_reviewed_once():
    pending = Enrollment("e1", "c1", "s1", "K1", 5000, 4000, 30)
    approved = pending.approve("ok")
    assert (approved.review, approved.note, approved.on_sale) == (Review.APPROVED, "ok", 30)
    assert pending.reject().on_sale is None
    with pytest.raises(EnrollmentStateError):
        approved.reject()
    with pytest.raises(EnrollmentStateError):
        approved.reenrolled(pending)


def test_only_its_own_shop_may_enroll_a_pending_sku_again():
    pending = Enrollment("e1", "c1", "s1", "K1", 5000, 4000, 30)
    renewed = pending.reenrolled(Enrollment("e2", "c1", "s1", "K1", 5000, 3500, 40))
    assert (renewed.id, renewed.campaign_price, renewed.committed_stock) == ("e1", 3500, 40)
    with pytest.raises(EnrollmentStateError):
        pending.reenrolled(Enrollment("e3", "c1", "s2", "K1", 5000, 3500, 40))
