"""Settlement runs on real databases: a small festival settled, every shop's statement
recomputed from its orders and refunds to the fen, and the ledger reconciled."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from dacu.adapters.rebate_store import SqlRebateStore
from dacu.domain.errors import ConcurrentChange, IdempotencyConflict
from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, Platform, merchant, transfer
from dacu.domain.rebates import Accrual, RebateKind, RebateStatus
from dacu.domain.settlement_run import StatementStateError
from tests.integration.settlement_rig import AFTER, CAMPAIGN, festival, owed_by_shop, shop_and_pay

pytestmark = pytest.mark.integration


@pytest.fixture
def world(engine):
    made = festival(engine)
    shop_and_pay(made)
    return made


def _totals(statements) -> dict[str, int]:
    found: dict[str, int] = {}
    for s in statements:
        found[s.shop] = found.get(s.shop, 0) + s.total
    return found


def test_a_festival_settles_to_the_fen_and_reconciles_with_the_ledger(world):
    settlement, ledger = world.platform.settlement, world.platform.ledger
    with pytest.raises(StatementStateError) as refused:
        settlement.run(CAMPAIGN, "fin-1", "too-early")
    assert refused.value.field == "status"
    world.clock.now = AFTER
    run = settlement.run(CAMPAIGN, "fin-1", "r1")
    assert _totals(run.statements) == owed_by_shop(world)
    assert len(run.statements) == len(owed_by_shop(world)) >= 1
    assert all(s.total > 0 for s in run.statements)
    assert all(s.seq == 1 and s.due_on == date(2026, 11, 24) for s in run.statements)
    for s in run.statements:
        full = settlement.full(s.id)
        assert sum(line.amount for line in full.lines) == s.total
        assert all(line.refs["order_id"] for line in full.lines)
        assert ledger.entry(f"settlement:{s.id}") is not None
    assert ledger.trial_balance() == 0
    assert all(r.balanced and r.unsettled == 0 for r in settlement.reconcile(CAMPAIGN))
    # a retry answers the same; a new run finds nothing new
    again = settlement.run(CAMPAIGN, "fin-1", "r1")
    assert (again.replayed, again.statements) == (True, run.statements)
    assert settlement.run(CAMPAIGN, "fin-1", "r2").statements == ()
    with pytest.raises(IdempotencyConflict):
        settlement.run(CAMPAIGN, "fin-1", "r1", shop="north-wear")


def test_a_late_refund_issues_the_shops_next_statement(world):
    settlement = world.platform.settlement
    world.clock.now = AFTER
    settlement.run(CAMPAIGN, "fin-1", "r1")
    world.clock.now = AFTER + timedelta(days=1)
    first = world.orders[0]
    refund = world.refund(first, "A-COAT", 1, "rf-late")
    run = settlement.run(CAMPAIGN, "fin-1", "r2")
    clawed = -sum(s.platform for s in refund.clawbacks)
    assert [(s.shop, s.seq, s.total) for s in run.statements] == [(refund.shop, 2, clawed)]
    assert clawed < 0  # carried as a negative statement: the shop owes it
    assert _totals(settlement.statements(CAMPAIGN)) == owed_by_shop(world)
    assert all(r.balanced for r in settlement.reconcile(CAMPAIGN))
    assert world.platform.ledger.trial_balance() == 0


def test_concurrent_runs_never_settle_a_posting_twice(world):
    settlement = world.platform.settlement
    world.clock.now = AFTER
    with ThreadPoolExecutor(max_workers=6) as pool:
        runs = list(pool.map(lambda n: settlement.run(CAMPAIGN, "fin", f"c{n}"), range(6)))
    issued = [s for run in runs for s in run.statements]
    assert len({s.id for s in issued}) == len(issued)
    assert _totals(issued) == owed_by_shop(world)
    assert all(r.balanced for r in settlement.reconcile(CAMPAIGN))


def test_rebates_settle_like_the_rest_and_are_marked_settled(world):
    platform = world.platform
    accrual = Accrual(
        "new_member:u-9", RebateKind.NEW_MEMBER, "north-wear", CAMPAIGN, "u-9", "o-9", 0,
        1_000, RebateStatus.ACCRUED, world.clock.now,
    )  # fmt: skip
    with SqlRebateStore(platform.engine).book() as book:
        book.add(accrual)
    rebate = merchant("north-wear", MerchantAccount.REBATE)
    platform.ledger.post(
        Entry(
            "rebate:new_member:u-9", EntryKind.REBATE, world.clock.now,
            transfer(Platform.REBATE_EXPENSE, rebate, 1_000, CAMPAIGN), {"customer_id": "u-9"},
        )
    )  # fmt: skip
    world.clock.now = AFTER
    run = platform.settlement.run(CAMPAIGN, "fin-1", "r1", shop="north-wear")
    (statement,) = run.statements
    assert statement.total == owed_by_shop(world)["north-wear"] + 1_000
    totals, _ = platform.rebates.statement(CAMPAIGN, "north-wear")
    assert totals.settled == 1_000


def test_the_workers_settle_an_ended_campaign_by_themselves(world):
    platform = world.platform
    assert platform.settlement.sweep(AFTER) == []  # still live: nothing settles
    world.clock.now = AFTER
    platform.campaigns.end_finished("sweeper", AFTER)
    issued = platform.settlement.sweep(AFTER)
    assert sorted(issued) == sorted(f"{CAMPAIGN}:{shop}:1" for shop in owed_by_shop(world))
    assert platform.settlement.sweep(AFTER + timedelta(minutes=1)) == []
    assert not platform.alerts.alerts(CAMPAIGN, standing=True)


def test_an_alert_stands_while_a_statement_is_not_issued_by_its_due_day(world, monkeypatch):
    platform = world.platform
    world.clock.now = AFTER
    platform.campaigns.end_finished("sweeper", AFTER)
    late = AFTER + timedelta(days=30)  # past 2026-11-24
    world.clock.now = late

    def losing(*args, **kwargs):
        raise ConcurrentChange("another run holds the shop")

    monkeypatch.setattr(platform.settlement, "run", losing)
    assert platform.settlement.sweep(late) == []
    (alert,) = platform.alerts.alerts(CAMPAIGN, standing=True)
    assert alert.kind == "statement_overdue"
    monkeypatch.undo()
    assert platform.settlement.sweep(late)
    assert not platform.alerts.alerts(CAMPAIGN, standing=True)


def test_an_appeals_adjustment_and_a_penalty_settle_on_the_next_statement(world):
    platform = world.platform
    world.clock.now = AFTER
    platform.settlement.run(CAMPAIGN, "fin-1", "r1")
    at = AFTER + timedelta(days=2)
    adjustment = merchant("north-wear", MerchantAccount.ADJUSTMENT)
    penalty = merchant("north-wear", MerchantAccount.PENALTY)
    platform.ledger.post(
        Entry(
            "appeal:a1", EntryKind.ADJUSTMENT, at,
            transfer(Platform.ADJUSTMENTS, adjustment, 5_000, CAMPAIGN), {"appeal_id": "a1"},
        )
    )  # fmt: skip
    platform.ledger.post(
        Entry(
            "penalty:p1", EntryKind.PENALTY, at,
            transfer(penalty, Platform.PENALTY_INCOME, 1_234, CAMPAIGN), {"penalty_id": "p1"},
        )
    )  # fmt: skip
    world.clock.now = at
    (statement,) = platform.settlement.run(CAMPAIGN, "fin-1", "r2").statements
    assert (statement.seq, statement.total) == (2, 5_000 - 1_234)
    lines = platform.settlement.full(statement.id).lines
    assert [
        (line.kind, line.refs.get("appeal_id") or line.refs.get("penalty_id")) for line in lines
    ] == [
        (MerchantAccount.ADJUSTMENT, "a1"),
        (MerchantAccount.PENALTY, "p1"),
    ]
    assert all(r.balanced and r.unsettled == 0 for r in platform.settlement.reconcile(CAMPAIGN))
    assert platform.ledger.trial_balance() == 0
