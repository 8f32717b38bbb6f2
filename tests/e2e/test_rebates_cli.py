"""`dacu rebates statement`, as finance runs it: the shop's statement as CSV or XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.e2e.test_db_cli import dacu
from tests.integration.conftest import sqlite_engine
from tests.integration.rebates_rig import CAMPAIGN, NOW, member, paid_order, rebate_platform

pytestmark = pytest.mark.e2e


def test_a_shops_statement_is_written_as_csv_or_xlsx(tmp_path):
    with sqlite_engine(tmp_path) as engine:  # dacu.db in tmp_path: the CLI's default
        platform = rebate_platform(engine)
        member(engine, "u-1", shop="tea-house")
        paid_order(platform, "u-1", [("T-TEA", 1)], "k-1")
        platform.outbox().deliver(NOW)

    run = dacu(tmp_path, "rebates", "statement", "--campaign", CAMPAIGN, "--shop", "tea-house",
               "--out", "tea.csv")  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "tea.csv").read_text("utf-8-sig"))))
    assert sorted(row[7] for row in rows[1:3]) == ["1.00", "10.00"]

    run = dacu(tmp_path, "rebates", "statement", "--campaign", CAMPAIGN, "--shop", "tea-house",
               "--out", "tea.xlsx")  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert load_workbook(tmp_path / "tea.xlsx")["返利明细"].max_row == 3

    unknown = dacu(tmp_path, "rebates", "statement", "--campaign", "nope", "--shop", "tea-house",
                   "--out", "x.csv")  # fmt: skip
    assert unknown.returncode == 1
    assert "campaign" in unknown.stderr
