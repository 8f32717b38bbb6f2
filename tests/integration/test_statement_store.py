"""The statement store on real databases: a shop's statement, its lines and its
SETTLEMENT entry in one transaction; a posting on one statement only."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from dacu.adapters.ledger_store import SqlLedger
from dacu.adapters.statement_store import SqlStatements
from dacu.domain.errors import ConcurrentChange
from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, Platform, merchant, transfer
from dacu.domain.settlement_run import settle

AT = datetime(2026, 11, 12, 2, tzinfo=UTC)
SUBSIDY = merchant("s1", MerchantAccount.SUBSIDY)
PENALTY = merchant("s1", MerchantAccount.PENALTY)


def _seed(ledger: SqlLedger) -> None:
    ledger.post(
        Entry(
            "order:o1:paid",
            EntryKind.ORDER_PAID,
            AT,
            transfer(Platform.SUBSIDY_EXPENSE, SUBSIDY, 1_250, "c1"),
            {"order_id": "o1"},
        )
    )
    ledger.post(
        Entry(
            "penalty:p1",
            EntryKind.PENALTY,
            AT,
            transfer(PENALTY, Platform.PENALTY_INCOME, 300, "c1"),
            {"penalty_id": "p1"},
        )
    )


def _issue(store: SqlStatements, run: str) -> str | None:
    with store.book() as book:
        book.lock("c1", "s1")
        dues = book.unsettled("c1", "s1")
        made = settle("c1", "s1", book.last_seq("c1", "s1") + 1, dues, AT, date(2026, 11, 20), "f")
        if made is None:
            return None
        statement, entry = made
        book.add(statement, dues, run)
        if entry is not None:
            book.post(entry)
        return statement.id


def test_a_statement_settles_the_due_postings_into_the_wallet(engine: Engine) -> None:
    ledger, store = SqlLedger(engine), SqlStatements(engine)
    _seed(ledger)
    assert store.due_shops("c1") == ["s1"]
    assert _issue(store, "r1") == "c1:s1:1"
    found = store.statement("c1:s1:1")
    assert found is not None
    assert found.total == 950
    assert [(line.kind, line.amount) for line in found.lines] == [
        (MerchantAccount.SUBSIDY, 1_250),
        (MerchantAccount.PENALTY, -300),
    ]
    assert found.lines[0].refs["order_id"] == "o1"
    balances = ledger.balances("merchant:s1:", "c1")
    assert balances[merchant("s1", MerchantAccount.WALLET)] == -950
    assert balances[SUBSIDY] == 0
    assert balances[PENALTY] == 0
    assert ledger.trial_balance() == 0
    assert _issue(store, "r2") is None  # nothing new
    assert store.due_shops("c1") == []
    assert [s.id for s in store.of_run("r1")] == ["c1:s1:1"]
    assert [s.id for s in store.statements("c1", "s1")] == ["c1:s1:1"]


def test_a_posting_is_never_on_two_statements(engine: Engine) -> None:
    ledger, store = SqlLedger(engine), SqlStatements(engine)
    _seed(ledger)
    dues = store.unsettled("c1", "s1")
    assert _issue(store, "r1") == "c1:s1:1"
    made = settle("c1", "s1", 2, dues, AT, date(2026, 11, 20), "f")  # stale read
    assert made is not None
    with pytest.raises(ConcurrentChange), store.book() as book:
        book.add(made[0], dues, "r2")
    assert store.statement("c1:s1:2") is None
    assert ledger.trial_balance() == 0
