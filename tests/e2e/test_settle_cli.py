"""`dacu settle`, as finance runs it: a festival's settlement run, its statements, and one
statement written as CSV or XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.e2e.cli import dacu
from tests.integration.conftest import sqlite_engine
from tests.integration.settlement_rig import CAMPAIGN, festival, owed_by_shop, shop_and_pay

pytestmark = pytest.mark.e2e


def test_finance_settles_a_festival_and_writes_its_statements(tmp_path):
    with sqlite_engine(tmp_path) as engine:  # dacu.db in tmp_path: the CLI's default
        world = festival(engine)
        shop_and_pay(world)
        owed = owed_by_shop(world)

    run = dacu(tmp_path, "settle", "run", CAMPAIGN, "--key", "r1", "--by", "fin-1")
    assert run.returncode == 0, run.stderr
    issued = {line.split("\t")[1]: line.split("\t")[2] for line in run.stdout.splitlines()}
    assert issued == {shop: f"{n // 100}.{n % 100:02d}" for shop, n in owed.items()}
    again = dacu(tmp_path, "settle", "run", CAMPAIGN, "--key", "r1")
    assert again.stdout == run.stdout
    assert "replayed" in again.stderr

    listed = dacu(tmp_path, "settle", "statements", CAMPAIGN)
    assert listed.returncode == 0, listed.stderr
    assert "unreconciled shops: none" in listed.stderr
    sid = f"{CAMPAIGN}:north-wear:1"
    assert sid in listed.stdout

    out = dacu(tmp_path, "settle", "statement", sid, "--format", "csv", "--out", "s.csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "s.csv").read_text("utf-8-sig"))))
    assert rows[-1][1] == issued["north-wear"]
    out = dacu(tmp_path, "settle", "statement", sid, "--format", "xlsx", "--out", "s.xlsx")
    assert out.returncode == 0, out.stderr
    assert load_workbook(tmp_path / "s.xlsx")["结算单"]["A1"].value == "结算单 statement"

    unknown = dacu(tmp_path, "settle", "statement", "nope", "--out", "x.csv")
    assert unknown.returncode == 1
    assert "statement" in unknown.stderr
    bad = dacu(tmp_path, "settle", "statement", sid, "--format", "pdf", "--out", "x.pdf")
    assert bad.returncode == 2
    never = dacu(tmp_path, "settle", "run", "nope")
    assert never.returncode == 2
