"""Merchant rebates on SQLite and PostgreSQL: accrued from paid first orders through the
outbox, once per key however often or however concurrently the facts are delivered,
funded from the campaign's merchant-code line, held or refused by the risk check, and
reversed by a whole refund."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from dacu.adapters.outbox_store import SqlOutboxFeed, fact_from_json
from dacu.adapters.rebate_store import SqlRebateStore
from dacu.adapters.tables import event_outbox, rebates
from dacu.domain.facts import order_paid
from dacu.domain.rebates import RebateKind, RebateStatus
from dacu.domain.risk import RiskDecision, RiskQuery, Verdict
from dacu.services.outbox import OutboxDelivery
from dacu.services.rebates import RebateService
from tests.integration.rebates_rig import (
    CAMPAIGN,
    NOW,
    member,
    paid_order,
    rebate_platform,
    rows,
)

pytestmark = pytest.mark.integration


def _deliver_again(engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(event_outbox).values(delivered_at=None, leased_until=None))


def _lines(platform) -> dict[str, tuple[str, int, str]]:
    found = platform.rebates.shops(CAMPAIGN)
    assert found is not None
    return {
        line.key: (line.shop, line.amount, line.status.value)
        for shop in ("tea-house", "book-nook")
        for line in platform.rebates.statement(CAMPAIGN, shop)[1]
    }


def test_a_code_members_first_order_earns_both_rebates_once_though_delivered_twice(engine):
    # given: a member who registered with the tea house's code pays a 30元 first order
    platform = rebate_platform(engine)
    member(engine, "u-1", shop="tea-house")
    order = paid_order(platform, "u-1", [("T-TEA", 1)], "k-1")

    # when: the outbox is delivered, and then all of it again
    platform.outbox().deliver(NOW)
    _deliver_again(engine)
    platform.outbox().deliver(NOW)

    # then: 10元 for the member and 1元 for the first order, once each, from the line
    assert _lines(platform) == {
        "new_member:u-1": ("tea-house", 1000, "accrued"),
        f"first_order:{order.id}:tea-house": ("tea-house", 100, "accrued"),
    }
    totals, lines = platform.rebates.statement(CAMPAIGN, "tea-house")
    assert (totals.new_member, totals.first_order, totals.owed) == (1000, 100, 1100)
    assert {line.order_id for line in lines} == {order.id}
    assert {line.customer_id for line in lines} == {"u-1"}
    assert platform.rebates.burn(CAMPAIGN) == (1100, 1100, 1_000_000)


def test_thirty_yuan_at_a_shop_counts_inclusive_and_each_shop_by_its_own_part(engine):
    platform = rebate_platform(engine)
    for who in ("u-2", "u-3", "u-4"):
        member(engine, who)
    below = paid_order(platform, "u-2", [("T-CUP", 1)], "k-2")  # 29.99元: nothing
    split = paid_order(platform, "u-3", [("T-TEA", 1), ("B-PEN", 1)], "k-3")  # 30 + 10
    both = paid_order(platform, "u-4", [("T-TEA", 1), ("B-BOOK", 1)], "k-4")  # 30 + 40

    platform.outbox().deliver(NOW)

    assert _lines(platform) == {
        f"first_order:{split.id}:tea-house": ("tea-house", 100, "accrued"),
        f"first_order:{both.id}:tea-house": ("tea-house", 100, "accrued"),
        f"first_order:{both.id}:book-nook": ("book-nook", 100, "accrued"),
    }
    assert below.id not in {line.order_id for line in rows(engine, rebates)}


def test_only_the_first_paid_order_of_a_verified_member_counts(engine):
    platform = rebate_platform(engine)
    member(engine, "u-5", shop="book-nook")
    member(engine, "u-6", verified=False, shop="book-nook")
    first = paid_order(platform, "u-5", [("B-BOOK", 1)], "k-5")
    paid_order(platform, "u-5", [("B-BOOK", 1)], "k-6", at=NOW + timedelta(hours=1))
    paid_order(platform, "u-6", [("B-BOOK", 1)], "k-7")

    platform.outbox().deliver(NOW)

    assert _lines(platform) == {
        "new_member:u-5": ("book-nook", 1000, "accrued"),
        f"first_order:{first.id}:book-nook": ("book-nook", 100, "accrued"),
    }


def test_a_spent_line_leaves_the_rebate_unfunded_and_never_passes_its_budget(engine):
    platform = rebate_platform(engine, budget=1100)
    member(engine, "u-7", shop="tea-house")
    member(engine, "u-8", shop="tea-house")
    paid_order(platform, "u-7", [("T-TEA", 1)], "k-8")
    paid_order(platform, "u-8", [("T-TEA", 1)], "k-9", at=NOW + timedelta(minutes=5))

    platform.outbox().deliver(NOW)

    totals, _ = platform.rebates.statement(CAMPAIGN, "tea-house")
    assert (totals.owed, totals.unfunded) == (1100, 1100)
    assert platform.rebates.burn(CAMPAIGN)[1] == 1100


class Judging:
    def __init__(self, verdicts: dict[str, Verdict]) -> None:
        self.verdicts, self.asked = verdicts, []

    def assess(self, query: RiskQuery) -> RiskDecision:
        self.asked.append(query)
        verdict = self.verdicts.get(query.subject.split(":")[0], Verdict.ALLOW)
        return RiskDecision(verdict, "cluster_size" if verdict is not Verdict.ALLOW else "ok")


def test_the_risk_check_holds_or_refuses_and_a_refusal_draws_nothing(engine):
    platform = rebate_platform(engine)
    risk = Judging({"new_member": Verdict.REVIEW, "first_order": Verdict.BLOCK})
    service = RebateService(SqlRebateStore(engine), platform.campaigns, risk)
    member(engine, "u-9", shop="tea-house")
    order = paid_order(platform, "u-9", [("T-TEA", 1)], "k-10")

    service.take(order_paid(order, NOW), NOW)

    assert _lines(platform) == {
        "new_member:u-9": ("tea-house", 1000, "held"),
        f"first_order:{order.id}:tea-house": ("tea-house", 100, "refused"),
    }
    assert {q.customer_id for q in risk.asked} == {"tea-house"}
    assert service.burn(CAMPAIGN)[1] == 1000  # held: set aside for the review


def test_a_whole_refund_reverses_the_rebates_and_gives_the_budget_back(engine):
    platform = rebate_platform(engine)
    member(engine, "u-10", shop="tea-house")
    member(engine, "u-11")
    whole = paid_order(platform, "u-10", [("T-TEA", 1)], "k-11")
    part = paid_order(platform, "u-11", [("T-TEA", 1), ("B-BOOK", 1)], "k-12")
    platform.outbox().deliver(NOW)

    platform.orders.refund(whole.id, "T-TEA", 1, "r-1", NOW + timedelta(hours=1))
    platform.orders.refund(part.id, "B-BOOK", 1, "r-2", NOW + timedelta(hours=1))
    platform.outbox().deliver(NOW)
    _deliver_again(engine)
    platform.outbox().deliver(NOW)

    assert _lines(platform) == {
        "new_member:u-10": ("tea-house", 1000, "reversed"),
        f"first_order:{whole.id}:tea-house": ("tea-house", 100, "reversed"),
        f"first_order:{part.id}:tea-house": ("tea-house", 100, "accrued"),
        f"first_order:{part.id}:book-nook": ("book-nook", 100, "accrued"),
    }
    assert platform.rebates.burn(CAMPAIGN)[:2] == (200, 200)


def test_a_refund_seen_before_its_payment_leaves_nothing_to_accrue(engine):
    platform = rebate_platform(engine)
    member(engine, "u-12", shop="tea-house")
    order = paid_order(platform, "u-12", [("T-TEA", 1)], "k-13")
    platform.orders.refund(order.id, "T-TEA", 1, "r-3", NOW + timedelta(hours=1))
    refund_first = [f for f in _facts(engine) if f.kind.value == "refund"]
    platform.rebates.take(refund_first, NOW)

    platform.outbox().deliver(NOW)

    assert _lines(platform) == {}
    assert platform.rebates.burn(CAMPAIGN)[1] == 0


def _facts(engine):
    return [fact_from_json(row.fact) for row in rows(engine, event_outbox)]


def test_concurrent_deliveries_of_the_same_facts_accrue_and_draw_once(engine):
    # given: twelve members of the tea house's code, each with a paid first order, and a
    # line that funds only five of them whole
    platform = rebate_platform(engine, budget=5 * 1100)
    for n in range(12):
        member(engine, f"c-{n}", shop="tea-house")
        paid_order(platform, f"c-{n}", [("T-TEA", 1)], f"k-c{n}", at=NOW + timedelta(seconds=n))
    facts = _facts(engine)

    # when: six deliveries take the same facts at once (leases that ran out)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def deliver() -> None:
        try:
            start.wait()
            platform.rebates.take(facts, NOW)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: 24 lines, one per key; the line drawn to its cap and no further
    assert errors == []
    lines = rows(engine, rebates)
    assert len(lines) == 24
    assert len({line.key for line in lines}) == 24
    funded = sum(line.amount for line in lines if line.status == RebateStatus.ACCRUED.value)
    drawn = platform.rebates.burn(CAMPAIGN)[1]
    assert funded == drawn <= 5 * 1100
    assert drawn >= 5 * 1100 - 1000  # stopped only when the next could not fit
    kinds = {RebateKind(line.kind) for line in lines}
    assert kinds == {RebateKind.NEW_MEMBER, RebateKind.FIRST_ORDER}


def test_settling_marks_only_accrued_lines(engine):
    platform = rebate_platform(engine)
    member(engine, "u-13", shop="tea-house")
    paid_order(platform, "u-13", [("T-TEA", 1)], "k-14")
    platform.outbox().deliver(NOW)

    assert platform.rebates.settle(CAMPAIGN, "tea-house", NOW) == 2
    assert platform.rebates.settle(CAMPAIGN, "tea-house", NOW) == 0
    totals, lines = platform.rebates.statement(CAMPAIGN, "tea-house")
    assert {line.status for line in lines} == {RebateStatus.SETTLED}
    assert (totals.owed, totals.settled) == (1100, 1100)


def test_outbox_deliveries_racing_over_the_same_batch_accrue_once(engine):
    # given: leases that run out at once, so every delivery takes the same facts
    platform = rebate_platform(engine)
    for n in range(6):
        member(engine, f"r-{n}", shop="book-nook")
        paid_order(platform, f"r-{n}", [("B-BOOK", 1)], f"k-r{n}", at=NOW + timedelta(seconds=n))

    def delivery() -> OutboxDelivery:
        feed = SqlOutboxFeed(engine)
        return OutboxDelivery(
            feed,
            platform.kpis,
            platform.campaigns,
            platform.alerts,
            lease=timedelta(seconds=-1),
            listeners=platform.listeners,
        )

    # when: four deliveries run at once
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def deliver() -> None:
        try:
            start.wait()
            delivery().deliver_batch(NOW)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: each member's rebates once, the line drawn once for each
    assert errors == []
    totals, lines = platform.rebates.statement(CAMPAIGN, "book-nook")
    assert len(lines) == 12
    assert (totals.new_member, totals.first_order) == (6 * 1000, 6 * 100)
    assert platform.rebates.burn(CAMPAIGN)[1] == 6 * 1100


def test_a_review_accrues_or_refuses_a_held_rebate_once(engine):
    platform = rebate_platform(engine)
    risk = Judging({"new_member": Verdict.REVIEW, "first_order": Verdict.REVIEW})
    service = RebateService(SqlRebateStore(engine), platform.campaigns, risk)
    member(engine, "u-14", shop="tea-house")
    order = paid_order(platform, "u-14", [("T-TEA", 1)], "k-15")
    service.take(order_paid(order, NOW), NOW)
    assert service.burn(CAMPAIGN)[1] == 1100

    assert service.decide_held("new_member:u-14", True, NOW)
    assert service.decide_held(f"first_order:{order.id}:tea-house", False, NOW)
    assert not service.decide_held("new_member:u-14", False, NOW)  # decided already

    assert _lines(platform) == {
        "new_member:u-14": ("tea-house", 1000, "accrued"),
        f"first_order:{order.id}:tea-house": ("tea-house", 100, "refused"),
    }
    assert service.burn(CAMPAIGN)[:2] == (1000, 1000)


def test_a_refunded_first_order_is_not_replaced_by_the_next_nor_counts_outside_the_month(engine):
    platform = rebate_platform(engine)
    member(engine, "u-15", shop="tea-house")
    member(engine, "u-16", shop="tea-house")
    first = paid_order(platform, "u-15", [("T-TEA", 1)], "k-16")
    platform.orders.refund(first.id, "T-TEA", 1, "r-4", NOW + timedelta(minutes=5))
    paid_order(platform, "u-15", [("T-TEA", 1)], "k-17", at=NOW + timedelta(hours=1))
    october = NOW.replace(month=10, day=2)  # after the campaign's last phase
    paid_order(platform, "u-16", [("T-TEA", 1)], "k-18", at=october)

    platform.outbox().deliver(NOW)

    assert _lines(platform) == {}
    assert platform.rebates.burn(CAMPAIGN)[1] == 0
