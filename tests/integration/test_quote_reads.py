"""What a quote reads, in one query: live campaigns' revisions (read afresh every tenth
of a second at most) and the held coupons."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.db import make_engine
from dacu.adapters.wallet_store import REVISIONS_FRESH_S, SqlHeldCoupons
from dacu.bootstrap import bootstrap
from dacu.domain.coupons import Claimant
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_one_read_gives_the_revisions_and_the_unexpired_held_coupons_by_id(engine):
    platform = bootstrap(engine)
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    platform.campaigns.apply(*load_campaign(document), "ops-lihua", NOW)
    coupons = platform.coupons
    coupons.claim("warm-up-300-30", Claimant("u1"), "r1", NOW, coupon_id="c-b")
    coupons.claim("newcomer-red-20", Claimant("u1", True), "r2", NOW, coupon_id="c-a")
    coupons.claim("warm-up-300-30", Claimant("u2"), "r3", NOW, coupon_id="c-c")
    reads = SqlHeldCoupons(engine)

    revisions, wallet = reads.read("u1", NOW)
    assert revisions == {"double11-2026": 1}
    assert [item.id for item in wallet] == ["c-a", "c-b"]
    assert wallet == reads.held("u1", NOW)

    # the 7-day coupon has expired a week later
    assert [item.id for item in reads.held("u1", NOW + timedelta(days=8))] == ["c-a"]
    # a pause takes the campaign off the list, and its coupons out of pricing
    platform.campaigns.pause("double11-2026", "ops-lihua", NOW)
    revisions, wallet = reads.read("u1", NOW + timedelta(days=8))
    assert revisions == {}
    assert wallet == []


def test_revisions_stand_for_a_tenth_of_a_second_and_a_commit_here_reads_them_again(engine):
    # given: a live campaign, and the quote reads of a process that read its revision
    platform = bootstrap(engine)
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    platform.campaigns.apply(*load_campaign(document), "ops-lihua", NOW)
    ticks = [0.0]
    reads = SqlHeldCoupons(engine, clock=lambda: ticks[0])
    assert reads.read("u1", NOW)[0] == {"double11-2026": 1}

    # when: another process pauses it, this one prices on what it read for 0.1 s at most
    elsewhere = make_engine(engine.url.render_as_string(hide_password=False))
    bootstrap(elsewhere).campaigns.pause("double11-2026", "ops-lihua", NOW)
    ticks[0] = REVISIONS_FRESH_S * 0.9
    assert reads.read("u1", NOW)[0] == {"double11-2026": 1}
    ticks[0] = REVISIONS_FRESH_S
    assert reads.read("u1", NOW)[0] == {}

    # when: this process resumes it, the next read sees it, the clock standing still
    platform.campaigns.resume("double11-2026", "ops-lihua", NOW)
    assert reads.read("u1", NOW)[0] == {"double11-2026": 3}
    elsewhere.dispose()
