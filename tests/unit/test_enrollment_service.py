"""Enrolling and reviewing through the service, on in-memory fakes: no database."""

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.campaigns import Eligibility, UnknownCampaign
from dacu.domain.enrollment import (
    Enrollment,
    EnrollmentStateError,
    Ineligible,
    Merchant,
    Review,
    UnknownEnrollment,
)
from dacu.domain.errors import InvalidRule
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services.enrollments import EnrollmentService
from tests.fakes import FakeCampaignRules, FakeEnrollmentStore

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
RULES = Eligibility(True, 9000, 90, ("appliances", "digital", "beauty"))
CAMPAIGN = "double11-2026"


@pytest.fixture
def store() -> FakeEnrollmentStore:
    store = FakeEnrollmentStore()
    store.put_merchant(Merchant("north-wear", True, 9400, None, ("apparel",)))
    store.put_merchant(Merchant("digital-flagship", True, 9700, None, ("digital",)))
    store.put_merchant(Merchant("low-shop", False, 7000, NOW - timedelta(days=3)))
    return store


@pytest.fixture
def service(store: FakeEnrollmentStore) -> EnrollmentService:
    text = (ROOT / "examples/double11.yaml").read_text(encoding="utf-8")
    _, campaign = load_campaign(load_yaml(text))
    rules = FakeCampaignRules({CAMPAIGN: replace(campaign, eligibility=RULES)})
    return EnrollmentService(store, rules)


def terms(sku: str = "A-SCARF", shop: str = "north-wear", **changed: int) -> Enrollment:
    prices = {"list_price": 12900, "campaign_price": 9900, "committed_stock": 300} | changed
    return Enrollment(f"e-{shop}-{sku}", CAMPAIGN, shop, sku, **prices)


def test_a_qualifying_shop_enrolls_pending_and_priority_categories_are_listed_first(service):
    enrolled = service.enroll(terms(), NOW)
    service.enroll(terms("D-PHONE", "digital-flagship"), NOW)
    assert enrolled.enrollment.review is Review.PENDING
    assert not enrolled.priority
    listed = service.listing(CAMPAIGN)
    assert [(e.enrollment.sku, e.priority) for e in listed] == [
        ("D-PHONE", True),
        ("A-SCARF", False),
    ]
    assert [e.enrollment.sku for e in service.listing(CAMPAIGN, {"north-wear"})] == ["A-SCARF"]


def test_an_ineligible_shop_is_told_every_reason_and_nothing_is_enrolled(service, store):
    with pytest.raises(Ineligible) as refused:
        service.enroll(terms(shop="low-shop"), NOW)
    assert refused.value.field == "shop"
    assert len(refused.value.reasons) == 3
    assert "rating" in refused.value.message
    assert store.rows == {}


def test_a_shop_without_a_profile_cannot_enroll(service):
    with pytest.raises(InvalidRule) as refused:
        service.enroll(terms(shop="nobody"), NOW)
    assert refused.value.field == "shop"


def test_enrolling_in_an_unknown_campaign_is_not_found(service):
    with pytest.raises(UnknownCampaign):
        service.enroll(replace(terms(), campaign_id="nope"), NOW)


def test_enrolling_again_while_pending_replaces_the_terms_under_the_same_id(service, store):
    first = service.enroll(terms(), NOW).enrollment
    again = service.enroll(replace(terms(campaign_price=8900), id="other-id"), NOW).enrollment
    assert again.id == first.id
    assert store.get(first.id).campaign_price == 8900
    assert len(store.rows) == 1


def test_another_shop_cannot_take_a_sku_already_enrolled(service, store):
    service.enroll(terms(), NOW)
    with pytest.raises(EnrollmentStateError):
        service.enroll(terms(shop="digital-flagship", campaign_price=5000), NOW)
    (kept,) = store.rows.values()
    assert (kept.shop, kept.campaign_price) == ("north-wear", 9900)


def test_approval_puts_the_committed_stock_on_sale_and_is_final(service, store):
    enrolled = service.enroll(terms(), NOW).enrollment
    approved = service.review(enrolled.id, True, "ops-lihua", "价格合规", NOW)
    assert (approved.review, approved.note) == (Review.APPROVED, "价格合规")
    assert store.on_sale == {"A-SCARF": 300}
    assert store.audit == [(enrolled.id, "ops-lihua", Review.APPROVED)]
    with pytest.raises(EnrollmentStateError):
        service.review(enrolled.id, False, "ops-zhao", "", NOW)
    with pytest.raises(EnrollmentStateError):
        service.enroll(terms(campaign_price=8000), NOW)
    assert store.get(enrolled.id).review is Review.APPROVED


def test_a_rejection_puts_nothing_on_sale(service, store):
    enrolled = service.enroll(terms(), NOW).enrollment
    rejected = service.review(enrolled.id, False, "ops-lihua", "降幅不足", NOW)
    assert rejected.review is Review.REJECTED
    assert store.on_sale == {}
    assert service.of_campaign(CAMPAIGN, Review.APPROVED) == []


def test_of_two_racing_reviewers_one_decides_and_the_other_is_refused(service, store):
    enrolled = service.enroll(terms(), NOW).enrollment

    def rival_rejects() -> None:
        store.save_review(enrolled.reject("rival"), "ops-zhao", NOW)

    # given: a rival's rejection lands between our load and our save
    store.before_write.append(rival_rejects)
    # when / then: our approval is refused, the rival's rejection stands, nothing on sale
    with pytest.raises(EnrollmentStateError):
        service.review(enrolled.id, True, "ops-lihua", "", NOW)
    assert store.get(enrolled.id).review is Review.REJECTED
    assert store.on_sale == {}
    assert store.audit == [(enrolled.id, "ops-zhao", Review.REJECTED)]


def test_a_sku_enrolled_by_a_rival_shop_meanwhile_is_refused(service, store):
    def rival_enrolls() -> None:
        store.rows["rival"] = replace(terms(shop="digital-flagship"), id="rival")

    store.before_write.append(rival_enrolls)
    with pytest.raises(EnrollmentStateError):
        service.enroll(terms(), NOW)
    assert list(store.rows) == ["rival"]


def test_reviewing_an_unknown_enrollment_is_not_found(service):
    with pytest.raises(UnknownEnrollment):
        service.review("nope", True, "ops-lihua", "", NOW)


def test_a_violation_time_without_a_zone_is_refused(service):
    naive = Merchant("s9", True, 9500, datetime(2026, 1, 1))
    with pytest.raises(InvalidRule) as refused:
        service.put_merchant(naive)
    assert refused.value.field == "last_serious_violation"
