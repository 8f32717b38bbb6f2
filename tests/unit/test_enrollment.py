from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.campaigns import Eligibility
from dacu.domain.enrollment import Enrollment, Merchant, ineligibility, is_priority
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
