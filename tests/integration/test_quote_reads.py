"""What a quote reads, in one query: live campaigns' revisions and the held coupons."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.wallet_store import SqlHeldCoupons
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

    # the 7-day coupon has expired a week later; a pause takes the campaign off the list
    platform.campaigns.pause("double11-2026", "ops-lihua", NOW)
    revisions, wallet = reads.read("u1", NOW + timedelta(days=8))
    assert revisions == {}
    assert [item.id for item in wallet] == ["c-a"]
