"""A campaign ends by time, and stops in every process: its span, `open_at`, the per-process
copy of the live campaigns (`LiveCampaigns`), and the sweep that ends it for good."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dacu.domain.campaigns import Status
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services.campaigns import CampaignService
from tests.fakes.campaigns import FakeCampaignStore

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST = datetime(2026, 11, 8, 0, 0, tzinfo=SHANGHAI)  # the example's warm-up starts
LAST = datetime(2026, 11, 13, 23, 59, 59, tzinfo=SHANGHAI)  # its encore ends
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=SHANGHAI)


def example():
    return load_campaign(load_yaml((ROOT / "examples/double11.yaml").read_text("utf-8")))


def test_a_live_campaign_is_open_from_its_first_phase_to_the_end_of_its_last():
    _, campaign = example()
    assert (campaign.span.starts_at, campaign.span.ends_at) == (FIRST, LAST)
    assert campaign.open_at(BURST)
    assert campaign.open_at(LAST)
    assert not campaign.open_at(LAST + timedelta(seconds=1))
    assert not campaign.open_at(FIRST - timedelta(seconds=1))
    assert not campaign.with_status(Status.PAUSED).open_at(BURST)
    assert not campaign.with_status(Status.ENDED).open_at(BURST)


def test_past_its_last_phase_a_campaign_prices_nothing_though_still_live():
    _, campaign = example()
    assert "first-order-30-10" in {p.id for p in campaign.live_promotions(BURST)}  # no phase
    assert campaign.live_promotions(LAST + timedelta(seconds=1)) == []
    assert campaign.live_promotions(FIRST - timedelta(days=1)) == []


def test_each_process_sees_a_pause_within_its_freshness_and_its_own_at_once():
    # given: two processes' services over one store; the other reads again only when stale
    store = FakeCampaignStore()
    here, there = CampaignService(store), CampaignService(store, fresh_s=3600)
    document, campaign = example()
    here.apply(document, campaign, "ops", BURST)
    assert here.is_open(campaign.id, BURST)
    assert there.is_open(campaign.id, BURST)
    # when: paused here
    here.pause(campaign.id, "ops", BURST)
    # then: here at once; there once its copy is stale
    assert not here.is_open(campaign.id, BURST)
    assert there.is_open(campaign.id, BURST)  # an hour's freshness: not read again yet
    there.open_now.forget()  # as the hour passing would
    assert not there.is_open(campaign.id, BURST)
    assert not here.is_open("no-such", BURST)


def test_the_sweep_ends_a_campaign_whose_last_phase_is_over_live_or_paused():
    store = FakeCampaignStore()
    service = CampaignService(store)
    document, campaign = example()
    service.apply(document, campaign, "ops", BURST)
    assert service.end_finished("sweeper", LAST) == []
    assert service.end_finished("sweeper", LAST + timedelta(seconds=1)) == [campaign.id]
    assert service.get(campaign.id).status is Status.ENDED
    assert service.end_finished("sweeper", LAST + timedelta(days=1)) == []
    # a paused one ends too
    other = {**document, "id": "paused-one"}
    _, paused = load_campaign(other)
    service.apply(other, paused, "ops", BURST)
    service.pause("paused-one", "ops", BURST)
    assert service.end_finished("sweeper", LAST + timedelta(seconds=1)) == ["paused-one"]


def test_one_caller_refreshes_a_stale_copy_while_the_others_answer_from_it():
    store = FakeCampaignStore()
    service = CampaignService(store)
    document, campaign = example()
    service.apply(document, campaign, "ops", BURST)
    live = service.open_now
    assert not live.loaded
    assert live.take_refresh()  # stale: this caller reads
    assert not live.take_refresh()  # another, meanwhile: answers from the copy
    assert not live.known_open(campaign.id, BURST)  # nothing read yet
    live.refresh()
    live.refresh_done()
    assert live.loaded
    assert live.known_open(campaign.id, BURST)
    assert not live.take_refresh()  # fresh
