"""Shipments' late flag and logistics subsidy, the ad rebate's cut to the cap, penalties'
entries, and the category tiers funding threshold promotions: the pure domain."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.errors import InvalidRule
from dacu.domain.ledger import EntryKind
from dacu.domain.penalties import (
    AdSpend,
    Penalty,
    PenaltyKind,
    ad_rebate_entry,
    penalty_entry,
    rebate_of,
    withdrawal_entry,
)
from dacu.domain.settlement_policy import AdRebate, LogisticsSubsidy
from dacu.domain.shipments import (
    Shipment,
    ShipmentStateError,
    is_late,
    logistics_entry,
    size_classes,
    subsidy_for,
)
from dacu.schemas.campaigns import load_campaign

AT = datetime(2026, 11, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
POLICY = LogisticsSubsidy({"medium": 300, "bulky": 800}, ("sf-express",), 48)


def shipment(**changes) -> Shipment:
    fields = {
        "id": "shp-1",
        "order_id": "o-1",
        "shop": "home",
        "carrier": "sf-express",
        "waybill": "SF1",
        "size_classes": ("bulky", "medium"),
        "paid_at": AT,
        "shipped_at": AT + timedelta(hours=1),
        "promise_hours": 48,
        "late": False,
        "campaign_id": "c",
    }
    return Shipment(**{**fields, **changes})


def test_late_is_after_the_promise_to_the_second():
    assert not is_late(AT, AT + timedelta(hours=48), 48)
    assert is_late(AT, AT + timedelta(hours=48, seconds=1), 48)


def test_the_subsidy_is_the_largest_paid_size_class_on_time_with_a_designated_carrier():
    assert subsidy_for(shipment(), POLICY, False) == 800
    assert subsidy_for(shipment(size_classes=("small",)), POLICY, False) == 0
    assert subsidy_for(shipment(late=True), POLICY, False) == 0
    assert subsidy_for(shipment(carrier="other"), POLICY, False) == 0
    assert subsidy_for(shipment(), POLICY, True) == 0
    assert subsidy_for(shipment(), None, False) == 0
    assert size_classes(["", "b", "a", "b"]) == ("a", "b")


def test_the_logistics_entry_balances_and_is_keyed_by_the_shipment():
    entry = logistics_entry(shipment(), 800, AT)
    assert entry is not None
    assert entry.key == "logistics:shp-1"
    assert entry.kind is EntryKind.LOGISTICS
    assert {(p.account, p.amount) for p in entry.postings} == {
        ("platform:logistics_expense", 800),
        ("merchant:home:logistics", -800),
    }
    assert logistics_entry(shipment(), 0, AT) is None


def test_delivery_is_once_and_never_before_shipping():
    done = shipment().deliver(AT + timedelta(days=1))
    assert done.deliver(AT + timedelta(days=2)) is done
    with pytest.raises(ShipmentStateError):
        shipment().deliver(AT)


def test_the_ad_rebate_is_floored_and_cut_to_what_is_left_of_the_cap():
    policy = AdRebate(1500, 5_000_000)
    assert rebate_of(10_001, policy, 0) == 1500
    assert rebate_of(40_000_000, policy, 1500) == 4_998_500
    assert rebate_of(100, policy, 5_000_000) == 0
    with pytest.raises(InvalidRule):
        rebate_of(0, policy, 0)
    record = AdSpend("c", "home", "bill-1", 10_001, 1500, "fin", AT)
    entry = ad_rebate_entry(record)
    assert entry is not None
    assert entry.key == "ad_rebate:c:home:bill-1"
    assert ad_rebate_entry(AdSpend("c", "home", "b", 1, 0, "fin", AT)) is None


def test_a_penalty_and_its_withdrawal_cancel_out():
    penalty = Penalty("p-1", "c", "home", PenaltyKind.BRUSHING, 20_000, "刷单", "", "risk", AT)
    withdrawn = penalty.withdraw("ops", "申诉成立", AT + timedelta(days=1))
    assert withdrawn.withdraw("ops", "again", AT) is withdrawn
    entries = [penalty_entry(penalty), withdrawal_entry(withdrawn)]
    assert [e.key for e in entries] == ["penalty:p-1", "penalty:p-1:withdrawn"]
    sums: dict[str, int] = {}
    for entry in entries:
        for p in entry.postings:
            sums[p.account] = sums.get(p.account, 0) + p.amount
    assert set(sums.values()) == {0}
    assert penalty_entry(penalty).postings[0].amount == 20_000  # the shop owes: a debit
    with pytest.raises(InvalidRule, match="reason"):
        penalty.withdraw("ops", " ", AT)
    with pytest.raises(InvalidRule, match="amount"):
        Penalty("p-2", "c", "home", PenaltyKind.OTHER, 0, "x", "", "risk", AT)


def document(funding: dict | None, categories: list[str], tiers: list[dict]) -> dict:
    promotion = {
        "id": "apparel-300-50",
        "kind": "threshold_off",
        "level": "platform",
        "scope": {"categories": categories},
        "tiers": [{"threshold": 30000, "off": 5000}],
    }
    if funding is not None:
        promotion["funding"] = funding
    return {
        "id": "c",
        "theme": "t",
        "owner": "ops",
        "phases": [
            {"name": "burst", "starts_at": "2026-11-11T00:00:00+08:00",
             "ends_at": "2026-11-11T23:59:59+08:00"}
        ],
        "budget": {"total": 100_000_000},
        "promotions": [promotion],
        "settlement": {"tiers": tiers},
    }  # fmt: skip


TIERS = [{"category": "apparel", "platform_bp": 7000}, {"category": "food", "platform_bp": 5000}]


def test_a_tiered_threshold_promotion_takes_its_tiers_share():
    _, campaign = load_campaign(document(None, ["apparel"], TIERS))
    assert campaign.promotions[0].promotion.funding_bp == 7000
    _, same = load_campaign(document({"platform_bp": 7000}, ["apparel"], TIERS))
    assert same.promotions[0].promotion.funding_bp == 7000
    _, untiered = load_campaign(document(None, ["digital"], TIERS))
    assert untiered.promotions[0].promotion.funding_bp is None


def test_a_tiered_promotion_stating_another_share_is_refused_naming_the_field():
    with pytest.raises(InvalidRule) as refused:
        load_campaign(document({"platform_bp": 5000}, ["apparel"], TIERS))
    assert refused.value.field == "promotions[0].funding.platform_bp"
    with pytest.raises(InvalidRule) as mixed:
        load_campaign(document(None, ["apparel", "food"], TIERS))
    assert mixed.value.field == "promotions[0].scope.categories"
