"""Campaigns applied, corrected, paused and killed on real SQLite and PostgreSQL."""

import copy
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from dacu.adapters.audit import history
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.tables import campaigns
from dacu.domain.campaigns import Status
from dacu.domain.coupons import Claimant
from dacu.domain.errors import ConcurrentChange, InvalidRule
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services.campaigns import CampaignService
from dacu.services.coupons import claim_coupon
from dacu.services.ports.campaigns import Stored, Unloadable

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def double11() -> dict:
    return load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def store(engine) -> SqlCampaignStore:
    return SqlCampaignStore(engine)


def test_export_gives_back_the_file_that_was_applied(store):
    document, campaign = load_campaign(double11())
    store.apply(document, campaign, "ops-lihua", NOW)
    assert store.document("double11-2026") == document
    assert store.campaign("double11-2026") == campaign


def test_applying_again_is_a_new_version_with_both_in_the_audit_log(store, engine):
    document, campaign = load_campaign(double11())
    assert store.apply(document, campaign, "ops-lihua", NOW) == 1
    corrected = copy.deepcopy(document)
    corrected["promotions"][0]["tiers"][0]["off"] = 4000  # 活动规则错误 → 立即修改
    assert store.apply(*load_campaign(corrected), "ops-wang", NOW) == 2
    entries = history(engine, "campaign:double11-2026")
    assert [e["actor"] for e in entries] == ["ops-lihua", "ops-wang"]
    assert entries[1]["before"] == document
    assert entries[1]["after"] == corrected


def test_kill_switch_and_pause_take_effect_at_once_and_are_audited(store, engine):
    service = CampaignService(store)
    store.apply(*load_campaign(double11()), "ops-lihua", NOW)
    service.kill("double11-2026", "flash-phone-20h", "risk-zhao", NOW)
    live = {p.id for p in store.campaign("double11-2026").live_promotions(BURST)}
    assert "flash-phone-20h" not in live
    assert store.document("double11-2026")["promotions"][3]["killed"] is True
    service.set_status("double11-2026", Status.PAUSED, "ops-lihua", NOW)
    assert store.campaign("double11-2026").live_promotions(BURST) == []
    actions = [e["action"] for e in history(engine, "campaign:double11-2026")]
    assert actions == ["campaign.apply", "promotion.kill", "campaign.status"]


def test_coupon_stock_cannot_be_cut_below_what_was_issued(store, engine):
    document, campaign = load_campaign(double11())
    store.apply(document, campaign, "ops-lihua", NOW)
    coupons = SqlCouponStore(engine)
    for i in range(3):
        claim_coupon(coupons, "warm-up-300-30", Claimant(f"u{i}"), "r", NOW, lambda i=i: f"c{i}")
    smaller = copy.deepcopy(document)
    smaller["coupons"][1]["total_stock"] = 2
    with pytest.raises(InvalidRule, match=r"coupons\[1\]\.total_stock"):
        store.apply(*load_campaign(smaller), "ops-lihua", NOW)
    assert store.document("double11-2026") == document  # nothing half-written
    assert coupons.counts("warm-up-300-30").issued == 3


def test_every_change_moves_the_revision_and_only_live_campaigns_are_listed(store):
    service = CampaignService(store)
    document, campaign = load_campaign(double11())
    assert service.apply(document, campaign, "ops-lihua", NOW).revision == 1
    assert store.live_revisions() == {"double11-2026": 1}
    service.kill("double11-2026", "flash-phone-20h", "risk-zhao", NOW)
    service.pause("double11-2026", "ops-lihua", NOW)
    assert store.live_revisions() == {}
    service.resume("double11-2026", "ops-lihua", NOW)
    assert store.live_revisions() == {"double11-2026": 4}
    again = service.apply(document, campaign, "ops-lihua", NOW, if_changed=True)
    assert (again.changed, again.version, again.revision) == (True, 2, 5)  # the kill is undone
    same = service.apply(document, campaign, "ops-lihua", NOW, if_changed=True)
    assert (same.changed, same.version, same.revision) == (False, 2, 5)


def test_a_save_from_a_stale_revision_is_refused(store):
    document, campaign = load_campaign(double11())
    store.apply(document, campaign, "ops-lihua", NOW)
    stale = store.get("double11-2026")
    store.save(stale.campaign.pause(), stale.revision, "campaign.status", "ops-lihua", NOW)
    with pytest.raises(ConcurrentChange):
        store.save(stale.campaign.end(), stale.revision, "campaign.status", "ops-wang", NOW)
    assert store.get("double11-2026").campaign.status is Status.PAUSED


def test_loading_needs_no_document_and_a_broken_row_is_unloadable_not_an_error(store, engine):
    document, campaign = load_campaign(double11())
    store.apply(document, campaign, "ops-lihua", NOW)
    other = {**copy.deepcopy(document), "id": "broken"}
    store.apply(*load_campaign(other), "ops-lihua", NOW)
    with engine.begin() as connection:  # the document is not read when the compiled form is
        connection.execute(
            update(campaigns).where(campaigns.c.id == "double11-2026").values(document={})
        )
        connection.execute(
            update(campaigns)
            .where(campaigns.c.id == "broken")
            .values(compiled={"format": 1, "campaign": {"@": "Nothing"}}, document={"id": 1})
        )
    found = store.load(["double11-2026", "broken"])
    assert isinstance(found["double11-2026"], Stored)
    assert found["double11-2026"].campaign == campaign
    assert isinstance(found["broken"], Unloadable)


def test_a_row_without_its_compiled_form_is_compiled_from_its_document(store, engine):
    document, campaign = load_campaign(double11())
    store.apply(document, campaign, "ops-lihua", NOW)
    with engine.begin() as connection:  # as rows applied before migration 0011 stand
        connection.execute(update(campaigns).values(compiled=None))
    assert store.get("double11-2026").campaign == campaign
