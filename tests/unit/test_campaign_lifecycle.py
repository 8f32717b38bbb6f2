"""A campaign's lifecycle: which moves are legal, and the service that drives them."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.campaigns import (
    CampaignStateError,
    CampaignStatus,
    UnknownCampaign,
    UnknownPromotion,
)
from dacu.domain.errors import ConcurrentChange, ErrorCode
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services.campaigns import CampaignService
from tests.fakes import FakeCampaignStore

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ID = "double11-2026"


def double11(status: str = "draft"):
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    return load_campaign({**document, "status": status})


def test_a_draft_goes_live_pauses_resumes_and_ends_for_good():
    _, campaign = double11()
    live = campaign.go_live()
    assert live.pause().resume().status is CampaignStatus.LIVE
    ended = live.pause().end()
    assert ended.status is CampaignStatus.ENDED
    for move in (ended.go_live, ended.pause, ended.resume):
        with pytest.raises(CampaignStateError):
            move()


def test_only_a_live_campaign_pauses_and_only_a_paused_one_resumes():
    _, campaign = double11()
    with pytest.raises(CampaignStateError) as refused:
        campaign.pause()
    assert refused.value.code is ErrorCode.CAMPAIGN_STATE
    with pytest.raises(CampaignStateError):
        campaign.go_live().resume()
    assert campaign.moved_to(CampaignStatus.DRAFT) == campaign  # where it stands already


def test_an_ended_campaign_is_neither_revised_nor_killed_and_unknown_promotions_are_404s():
    _, campaign = double11()
    with pytest.raises(UnknownPromotion) as unknown:
        campaign.kill("no-such")
    assert unknown.value.code is ErrorCode.UNKNOWN_PROMOTION
    ended = campaign.end()
    with pytest.raises(CampaignStateError):
        ended.revised(campaign)
    with pytest.raises(CampaignStateError):
        ended.kill("flash-phone-20h")


def test_the_service_applies_moves_and_kills_each_a_new_revision_audited():
    store = FakeCampaignStore()
    service = CampaignService(store)
    document, campaign = double11()
    applied = service.apply(document, campaign, "ops-lihua", NOW)
    assert (applied.version, applied.revision, applied.changed) == (1, 1, True)
    assert service.go_live(ID, "ops-lihua", NOW).status is CampaignStatus.LIVE
    killed = service.kill(ID, "flash-phone-20h", "risk-zhao", NOW)
    assert killed.revision == 3
    assert service.get(ID).killed == ["flash-phone-20h"]
    assert service.pause(ID, "ops-lihua", NOW).status is CampaignStatus.PAUSED
    assert service.live() == []
    assert [action for _, action, _ in store.audit] == [
        "campaign.apply",
        "campaign.status",
        "promotion.kill",
        "campaign.status",
    ]


def test_the_same_file_again_changes_nothing_and_a_stale_revision_is_refused():
    service = CampaignService(FakeCampaignStore())
    document, campaign = double11()
    service.apply(document, campaign, "ops-lihua", NOW)
    same = service.apply(document, campaign, "ops-lihua", NOW, if_changed=True)
    assert (same.version, same.changed) == (1, False)
    with pytest.raises(ConcurrentChange):
        service.apply(document, campaign, "ops-wang", NOW, expected_revision=7)
    assert service.apply(document, campaign, "ops-wang", NOW, expected_revision=1).version == 2


def test_an_ended_campaign_refuses_a_new_file_and_a_status_it_cannot_take():
    service = CampaignService(FakeCampaignStore())
    document, campaign = double11()
    service.apply(document, campaign, "ops-lihua", NOW)
    service.set_status(ID, CampaignStatus.ENDED, "ops-lihua", NOW)
    with pytest.raises(CampaignStateError):
        service.set_status(ID, CampaignStatus.LIVE, "ops-lihua", NOW)
    changed = {**document, "theme": "another"}
    with pytest.raises(CampaignStateError):
        service.apply(*load_campaign(changed), "ops-lihua", NOW)


def test_killing_in_an_unknown_campaign_or_an_unknown_promotion_says_which():
    service = CampaignService(FakeCampaignStore())
    with pytest.raises(UnknownCampaign):
        service.kill("no-such", "flash-phone-20h", "risk-zhao", NOW)
    service.apply(*double11(), "ops-lihua", NOW)
    with pytest.raises(UnknownPromotion):
        service.kill(ID, "no-such", "risk-zhao", NOW)
