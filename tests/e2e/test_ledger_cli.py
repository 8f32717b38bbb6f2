"""`dacu ledger trial-balance` and `dacu ledger accounts`, as finance runs them: a Rich
table of balances whose total is 0, and exit code 1 with a clear message when not."""

import pytest
from sqlalchemy import insert, select

from dacu.adapters.tables import journal_entries, journal_postings
from tests.e2e.test_db_cli import dacu
from tests.integration.conftest import sqlite_engine
from tests.integration.rebates_rig import CAMPAIGN, NOW, member, paid_order, rebate_platform

pytestmark = pytest.mark.e2e


def test_the_trial_balance_shows_every_account_and_a_zero_total(tmp_path):
    with sqlite_engine(tmp_path) as engine:  # dacu.db in tmp_path: the CLI's default
        platform = rebate_platform(engine)
        member(engine, "u-1", shop="tea-house")
        paid_order(platform, "u-1", [("T-TEA", 1)], "k-1")
        platform.outbox().deliver(NOW)

    run = dacu(tmp_path, "ledger", "trial-balance")
    assert run.returncode == 0, run.stderr
    assert "platform:rebate_expense" in run.stdout
    assert "应付商家返利" in run.stdout
    assert "11.00" in run.stdout
    assert "balanced" in run.stderr

    run = dacu(tmp_path, "ledger", "trial-balance", "--campaign", CAMPAIGN)
    assert run.returncode == 0, run.stderr

    run = dacu(tmp_path, "ledger", "accounts", "--prefix", "merchant:")
    assert run.returncode == 0, run.stderr
    assert "merchant:tea-house:rebate" in run.stdout
    assert "platform:rebate_expense" not in run.stdout
    assert "-11.00" in run.stdout

    bad = dacu(tmp_path, "ledger", "accounts", "--prefix", "merchant:%")
    assert bad.returncode == 2
    assert "prefix" in bad.stderr


def test_an_unbalanced_ledger_exits_1_and_says_so(tmp_path):
    with sqlite_engine(tmp_path) as engine, engine.begin() as connection:
        # a posting written around the ledger's own code: what the check is there to catch
        connection.execute(
            insert(journal_entries).values(key="broken", kind="adjustment", at=NOW, refs={})
        )
        entry = connection.scalar(select(journal_entries.c.id))
        connection.execute(
            insert(journal_postings).values(
                entry_id=entry, account="platform:adjustments", amount=5, at=NOW
            )
        )

    run = dacu(tmp_path, "ledger", "trial-balance")
    assert run.returncode == 1
    assert "does not balance" in run.stderr
    assert "5 fen" in run.stderr
