"""Merchant rebates post to the double-entry ledger in the transaction that accrues
them: accrued → REBATE entry, held → nothing until a review allows it, a whole refund
→ the opposite entry; unfunded and refused post nothing; deliveries twice post once."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from dacu.adapters.outbox_store import fact_from_json
from dacu.adapters.rebate_store import SqlRebateStore
from dacu.adapters.tables import event_outbox
from dacu.domain.facts import order_paid, order_refunded
from dacu.domain.risk import Verdict
from dacu.services.rebates import RebateService
from tests.integration.rebates_rig import (
    CAMPAIGN,
    NOW,
    member,
    paid_order,
    rebate_platform,
    rows,
)
from tests.integration.test_rebates import Judging

pytestmark = pytest.mark.integration

EXPENSE = "platform:rebate_expense"


def _rebate_entries(platform) -> dict[str, dict[str, int]]:
    lines = [line for line in platform.ledger.lines("") if line.entry_key.startswith("rebate:")]
    found: dict[str, dict[str, int]] = {}
    for line in lines:
        assert line.campaign_id == CAMPAIGN
        found.setdefault(line.entry_key, {})[line.account] = line.amount
    return found


def test_an_accrued_rebate_posts_once_though_delivered_twice(engine):
    platform = rebate_platform(engine)
    member(engine, "u-1", shop="tea-house")
    order = paid_order(platform, "u-1", [("T-TEA", 1)], "k-1")

    platform.outbox().deliver(NOW)
    with engine.begin() as connection:
        connection.execute(update(event_outbox).values(delivered_at=None, leased_until=None))
    platform.outbox().deliver(NOW)

    assert _rebate_entries(platform) == {
        "rebate:new_member:u-1": {EXPENSE: 1000, "merchant:tea-house:rebate": -1000},
        f"rebate:first_order:{order.id}:tea-house": {
            EXPENSE: 100,
            "merchant:tea-house:rebate": -100,
        },
    }
    lines = platform.ledger.entry("rebate:new_member:u-1")
    assert lines[0].refs["order_id"] == order.id
    assert lines[0].refs["shop"] == "tea-house"
    assert platform.ledger.trial_balance() == 0


def test_a_whole_refund_posts_the_reversal_and_a_partial_one_nothing(engine):
    platform = rebate_platform(engine)
    member(engine, "u-10", shop="tea-house")
    member(engine, "u-11")
    whole = paid_order(platform, "u-10", [("T-TEA", 1)], "k-11")
    part = paid_order(platform, "u-11", [("T-TEA", 1), ("B-BOOK", 1)], "k-12")
    platform.outbox().deliver(NOW)

    platform.orders.refund(whole.id, "T-TEA", 1, "r-1", NOW + timedelta(hours=1))
    platform.orders.refund(part.id, "B-BOOK", 1, "r-2", NOW + timedelta(hours=1))
    platform.outbox().deliver(NOW)

    found = _rebate_entries(platform)
    assert found["rebate:new_member:u-10:reversed"] == {
        EXPENSE: -1000,
        "merchant:tea-house:rebate": 1000,
    }
    assert f"rebate:first_order:{whole.id}:tea-house:reversed" in found
    assert not any(k.startswith(f"rebate:first_order:{part.id}") and k.endswith("reversed")
                   for k in found)  # fmt: skip
    balances = platform.ledger.balances("merchant:", campaign_id=CAMPAIGN)
    assert balances["merchant:tea-house:rebate"] == -100  # only the partly refunded order's
    assert balances["merchant:book-nook:rebate"] == -100
    assert platform.ledger.trial_balance() == 0


def test_held_posts_only_when_allowed_and_refused_or_unfunded_never(engine):
    platform = rebate_platform(engine)
    risk = Judging({"new_member": Verdict.REVIEW, "first_order": Verdict.BLOCK})
    service = RebateService(SqlRebateStore(engine), platform.campaigns, risk)
    member(engine, "u-9", shop="tea-house")
    order = paid_order(platform, "u-9", [("T-TEA", 1)], "k-10")
    service.take(order_paid(order, NOW), NOW)
    assert _rebate_entries(platform) == {}

    later = NOW + timedelta(days=1)
    assert service.decide_held("new_member:u-9", True, later)
    assert not service.decide_held("new_member:u-9", True, later)

    assert _rebate_entries(platform) == {
        "rebate:new_member:u-9": {EXPENSE: 1000, "merchant:tea-house:rebate": -1000}
    }
    assert platform.ledger.entry("rebate:new_member:u-9")[0].at == later


def test_a_held_rebate_reversed_by_a_refund_posts_nothing(engine):
    platform = rebate_platform(engine)
    risk = Judging({"new_member": Verdict.REVIEW, "first_order": Verdict.REVIEW})
    service = RebateService(SqlRebateStore(engine), platform.campaigns, risk)
    member(engine, "u-3", shop="tea-house")
    order = paid_order(platform, "u-3", [("T-TEA", 1)], "k-3")
    service.take(order_paid(order, NOW), NOW)
    refund = platform.orders.refund(order.id, "T-TEA", 1, "r-3", NOW + timedelta(hours=1))
    service.take([order_refunded(order, "r-3", refund, NOW)], NOW)

    assert _rebate_entries(platform) == {}
    assert not service.decide_held("new_member:u-3", True, NOW)
    assert platform.ledger.trial_balance() == 0


def test_an_unfunded_rebate_posts_nothing(engine):
    platform = rebate_platform(engine, budget=1100)
    member(engine, "u-7", shop="tea-house")
    member(engine, "u-8", shop="tea-house")
    first = paid_order(platform, "u-7", [("T-TEA", 1)], "k-8")
    paid_order(platform, "u-8", [("T-TEA", 1)], "k-9", at=NOW + timedelta(minutes=5))
    platform.outbox().deliver(NOW)

    assert set(_rebate_entries(platform)) == {
        "rebate:new_member:u-7",
        f"rebate:first_order:{first.id}:tea-house",
    }
    total = platform.ledger.balances(EXPENSE, campaign_id=CAMPAIGN)
    assert total == {EXPENSE: 1100}


def _facts(engine):
    return [fact_from_json(row.fact) for row in rows(engine, event_outbox)]


def test_concurrent_deliveries_post_each_owed_rebate_once_and_only_the_funded(engine):
    # given: six members with paid first orders and a line that funds three of them whole
    platform = rebate_platform(engine, budget=3 * 1100)
    for n in range(6):
        member(engine, f"c-{n}", shop="tea-house")
        paid_order(platform, f"c-{n}", [("T-TEA", 1)], f"k-c{n}", at=NOW + timedelta(seconds=n))
    facts = _facts(engine)

    # when: four deliveries take the same facts at once
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def deliver() -> None:
        try:
            start.wait()
            platform.rebates.take(facts, NOW)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: the ledger holds exactly the accrued lines, once each
    assert errors == []
    accrued = {
        f"rebate:{line.key}": line.amount
        for line in platform.rebates.statement(CAMPAIGN, "tea-house")[1]
        if line.status.value == "accrued"
    }
    posted = _rebate_entries(platform)
    assert {k: v[EXPENSE] for k, v in posted.items()} == accrued
    assert platform.ledger.balances(EXPENSE) == {EXPENSE: platform.rebates.burn(CAMPAIGN)[1]}
    assert platform.ledger.trial_balance() == 0
