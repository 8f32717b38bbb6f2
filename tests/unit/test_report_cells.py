"""Report files never carry a formula someone slipped into a name: every text cell that
a spreadsheet would run (= + - @, a tab, a carriage return first) is written as text."""

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from dacu.domain.kpis import Figures, SkuFigures
from dacu.domain.review import Achievement, Dashboard
from dacu.entrypoints import report_csv, report_xlsx
from dacu.entrypoints.cells import csv_cell

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOSTILE = ['=HYPERLINK("http://evil.test","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def _board() -> Dashboard:
    return Dashboard(
        campaign_id="c-1",
        theme="双十一",
        status="ended",
        phase=None,
        budget=100_000,
        totals=Figures(),
        hourly=(),
        channels={},
        segments={},
        top_skus=tuple(SkuFigures(sku, units=1, gmv=100) for sku in HOSTILE),
        achievements=tuple(Achievement("sku_units", sku, 10, 5) for sku in HOSTILE),
        alerts=(),
    )


def test_text_a_spreadsheet_would_run_is_marked_in_a_csv_and_figures_are_left_alone():
    for text in [*HOSTILE, "\tx", "\rx"]:
        assert csv_cell(text) == f"'{text}"
    assert csv_cell("P-PHONE") == "P-PHONE"
    assert csv_cell(-500) == -500  # a clawback stays a number


def test_the_summary_csv_writes_hostile_skus_as_text(tmp_path: Path):
    path = tmp_path / "summary.csv"
    report_csv.write_summary(path, _board(), None)
    with path.open(encoding="utf-8-sig", newline="") as source:
        skus = [row["sku"] for row in csv.DictReader(source) if row["section"] == "target"]
    assert skus == [f"'{sku}" for sku in HOSTILE]


def test_the_workbook_writes_hostile_skus_as_quoted_text(tmp_path: Path):
    path = tmp_path / "report.xlsx"
    report_xlsx.write(
        path, _board(), None, [(datetime(2026, 11, 11, tzinfo=SHANGHAI), Figures())], SHANGHAI
    )
    book = load_workbook(path)
    cells = [row[0] for row in book["商品"].iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == HOSTILE  # shown as written
    assert {cell.data_type for cell in cells} == {"s"}  # a string, never a formula
    assert all(cell.quotePrefix for cell in cells)
    every = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in every if c.data_type == "f"]
