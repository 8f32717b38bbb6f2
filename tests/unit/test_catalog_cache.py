"""The per-process catalog: compiled once per campaign revision, rebuilt only where moved."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dacu.domain.cart import Customer
from dacu.domain.enrollment import Enrollment, Review
from dacu.schemas.campaigns import load_campaign
from dacu.services.campaigns import CampaignService
from dacu.services.catalog import UNLOADABLE, CatalogCache
from dacu.services.quotes import QuoteService
from tests.fakes import FakeAlerts, FakeCampaignStore, FakeEnrollmentStore
from tests.unit.builders import cart, line

NOW = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
SHOPPER = Customer("u1")


def campaign(cid: str, *offs: tuple[str, int], status: str = "live", members_only=False):
    return load_campaign(
        {
            "id": cid,
            "theme": cid,
            "owner": "ops",
            "status": status,
            "participation": {"members_only": members_only},
            "budget": {"total": 10**10},
            "phases": [
                {
                    "name": "burst",
                    "starts_at": (NOW - timedelta(hours=1)).isoformat(),
                    "ends_at": (NOW + timedelta(hours=1)).isoformat(),
                }
            ],
            "promotions": [
                {"id": pid, "kind": "threshold_off", "level": "platform",
                 "tiers": [{"threshold": 10_000, "off": off}]}
                for pid, off in offs
            ],
        }
    )  # fmt: skip


@dataclass
class NoWallets:
    """QuoteReads: the store's revisions, and no coupons."""

    store: FakeCampaignStore

    def held(self, customer_id, now):
        return []

    def read(self, customer_id, now):
        return self.store.live_revisions(), []


def platform(*campaigns, enrollments=None):
    store, alerts = FakeCampaignStore(), FakeAlerts()
    service = CampaignService(store)
    for document, found in campaigns:
        service.apply(document, found, "ops", NOW)
    cache = CatalogCache(store, enrollments or FakeEnrollmentStore(), alerts)
    return store, service, cache, alerts, QuoteService(cache, NoWallets(store))


def applied(quotes, customer=SHOPPER):
    result = quotes.quote(cart(line("A", 20_000)), customer, NOW)
    return sorted(share.id for share in result.applied)


def test_nothing_is_loaded_again_while_no_revision_moves():
    store, _, cache, _, quotes = platform(campaign("a", ("a-10", 1_000)), campaign("b"))
    assert applied(quotes) == ["a-10"]
    applied(quotes)
    applied(quotes)
    assert sorted(store.loads) == ["a", "b"]
    assert cache.compilations == 2


def test_a_kill_reloads_that_campaign_alone_and_prices_at_once():
    one = campaign("a", ("a-10", 1_000), ("a-20", 2_000))
    store, service, _cache, _, quotes = platform(one, campaign("b", ("b-5", 500)))
    assert "a-20" in applied(quotes)
    service.kill("a", "a-20", "risk", NOW)
    assert "a-20" not in applied(quotes)
    assert sorted(store.loads) == ["a", "a", "b"]
    service.pause("b", "ops", NOW)
    assert applied(quotes) == ["a-10"]  # a pause loads nothing: b is simply not live
    assert sorted(store.loads) == ["a", "a", "b"]


def test_an_unloadable_campaign_is_left_out_with_an_alert_and_the_rest_still_prices():
    store, service, _, alerts, quotes = platform(
        campaign("a", ("a-10", 1_000)), campaign("b", ("b-5", 500))
    )
    store.broken.add("b")
    assert applied(quotes) == ["a-10"]
    standing = alerts.alerts("b", standing=True)
    assert [alert.kind for alert in standing] == [UNLOADABLE]
    store.broken.clear()
    service.apply(*campaign("b", ("b-5", 500)), "ops", NOW)  # the fix moves the revision
    assert applied(quotes) == ["a-10", "b-5"]
    assert alerts.alerts("b", standing=True) == []


def test_two_campaigns_with_one_promotion_id_never_break_each_other():
    _store, _, _, _, quotes = platform(
        campaign("a", ("same", 1_000), ("a-only", 100)), campaign("b", ("same", 2_000))
    )
    assert applied(quotes) == ["a-only", "a:same", "b:same"]


def test_a_members_only_campaign_prices_for_members_alone():
    _, _, _, _, quotes = platform(
        campaign("a", ("a-10", 1_000)), campaign("vip", ("vip-20", 2_000), members_only=True)
    )
    assert applied(quotes) == ["a-10"]
    assert applied(quotes, Customer("u2", member_tier="gold")) == ["a-10", "vip-20"]


def test_an_approved_enrollment_prices_once_the_approval_moves_the_revision():
    enrollments = FakeEnrollmentStore()
    store, _, _, _, quotes = platform(campaign("a"), enrollments=enrollments)
    assert applied(quotes) == []
    enrollments.rows["e1"] = Enrollment("e1", "a", "s1", "A", 20_000, 15_000, 10, Review.APPROVED)
    store.touch("a")
    assert applied(quotes) == ["enrolled:a:A"]
