from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.campaigns import Status
from dacu.domain.errors import InvalidRule
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=SHANGHAI)


def double11() -> dict:
    return load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))


def test_the_example_campaign_loads_with_the_plans_numbers():
    _, campaign = load_campaign(double11())
    assert campaign.budget.contingency_bp == 800
    assert {p.promotion.id for p in campaign.promotions} >= {"apparel-300-50", "first-order-30-10"}
    tiers = next(p for p in campaign.promotions if p.promotion.id == "apparel-300-50")
    assert tiers.promotion.platform_bp == 7000  # 004: the platform pays 70%


def test_promotions_bound_to_a_phase_price_only_within_it():
    _, campaign = load_campaign(double11())
    warm_up = datetime(2026, 11, 9, 12, 0, tzinfo=SHANGHAI)
    assert "apparel-300-50" in {p.id for p in campaign.live_promotions(BURST)}
    assert "apparel-300-50" not in {p.id for p in campaign.live_promotions(warm_up)}
    assert "first-order-30-10" in {p.id for p in campaign.live_promotions(warm_up)}


def test_a_paused_campaign_prices_nothing_and_a_killed_promotion_is_gone():
    _, campaign = load_campaign(double11())
    assert campaign.with_status(Status.PAUSED).live_promotions(BURST) == []
    killed = campaign.kill("flash-phone-20h")
    assert "flash-phone-20h" not in {p.id for p in killed.live_promotions(BURST)}


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["promotions"][0]["tiers"][0].update(off=40000), "promotions[0].tiers[0].off"),
        (lambda d: d["promotions"][0].update(phase="launch"), "promotions[0].phase"),
        (lambda d: d["coupons"][0].update(per_user_limit=0), "coupons[0].per_user_limit"),
        (lambda d: d["phases"][1].update(starts_at="2026-11-10T00:00:00+08:00"), "phases"),
        (lambda d: d["budget"].update(contingency_bp=20000), "budget.contingency_bp"),
        (lambda d: d.pop("owner"), "owner"),
    ],
    ids=["tier-off", "unknown-phase", "coupon-limit", "overlapping-phases", "rate", "missing"],
)
def test_a_bad_campaign_is_refused_naming_the_field(edit, field):
    document = double11()
    edit(document)
    with pytest.raises(InvalidRule) as refused:
        load_campaign(document)
    assert refused.value.field.startswith(field)


def test_yaml_off_stays_a_key():
    assert load_yaml("tiers: [{threshold: 300, off: 50}]") == {
        "tiers": [{"threshold": 300, "off": 50}]
    }


def test_phase_lookup():
    _, campaign = load_campaign(double11())
    assert campaign.phase_at(BURST).value == "burst"
    assert campaign.phase_at(BURST + timedelta(days=30)) is None
