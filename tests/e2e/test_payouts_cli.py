"""`dacu settle pay`, as finance runs it: a statement's payable parts paid once each, the
held line refused until its review approves it, the bank file in the payout folder."""

import csv
import io

import pytest

from tests.e2e.cli import dacu
from tests.integration.appeals_rig import BIG, issue, settle_platform, subsidy
from tests.integration.conftest import sqlite_engine

pytestmark = pytest.mark.e2e


def test_finance_pays_a_statement_once_and_the_held_line_after_its_review(tmp_path):
    with sqlite_engine(tmp_path) as engine:  # dacu.db in tmp_path: the CLI's default
        platform = settle_platform(engine, tmp_path)
        subsidy(platform, "o-1", "tea-house", 1_250)
        subsidy(platform, "o-2", "tea-house", BIG)
        sid = issue(platform, "tea-house")
    assert sid is not None

    paid = dacu(tmp_path, "settle", "pay", sid, "--by", "fin-1")
    assert paid.returncode == 0, paid.stderr
    key, shop, amount, path = paid.stdout.strip().split("\t")
    assert (key, shop, amount) == (f"payout:{sid}:main", "tea-house", "12.50")
    rows = list(csv.reader(io.StringIO((tmp_path / path).read_text("utf-8"))))
    assert rows[1][:3] == ["tea-house", "12.50", key]
    again = dacu(tmp_path, "settle", "pay", sid, "--part", "main")
    assert again.stdout == paid.stdout  # the same payout, not another

    held = dacu(tmp_path, "settle", "pay", sid, "--part", "line-2")
    assert held.returncode == 2
    assert "review" in held.stderr
    nothing = dacu(tmp_path, "settle", "pay", sid)
    assert nothing.returncode == 2
    missing = dacu(tmp_path, "settle", "pay", "autumn-settle:nobody:1")
    assert missing.returncode == 1
