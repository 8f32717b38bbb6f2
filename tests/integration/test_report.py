"""The post-campaign report on real SQLite and PostgreSQL: the HTML page opens offline
and says what the dashboard says, the CSVs add up to it, the workbook holds it to the
fen; and the case library keeps every finished campaign."""

import csv
import itertools
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from importlib import resources

import pytest
from openpyxl import load_workbook

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.case_store import SqlCaseStore
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.bootstrap import bootstrap
from dacu.domain.kpis import COUNTERS
from dacu.domain.money import yuan
from dacu.domain.review import compare
from dacu.entrypoints.cli_review import archive_finished
from dacu.entrypoints.report import write_report
from dacu.services import kpis, review
from tests.integration.campaign_history import (
    AFTER_BOTH,
    CURRENT,
    EARLIER,
    EARLIER_BURST,
    SHANGHAI,
    apply_both,
    history,
    ingest,
    report_after_both,
)
from tests.integration.kpi_events import shoppers

pytestmark = pytest.mark.integration

# an attribute or a CSS url() that would make the browser fetch from elsewhere
EXTERNAL = re.compile(r"""\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I)
SHEETS = ["概览", "目标", "每小时", "渠道", "商品", "环比"]


def _percent(bp: int) -> str:
    whole, part = divmod(abs(bp), 100)
    return f"{'-' if bp < 0 else ''}{whole:,}.{part:02d}%"


def test_the_report_page_is_self_contained_and_says_what_the_dashboard_says(engine, tmp_path):
    _, board, previous, files = report_after_both(engine, tmp_path / "reports")
    html = files.html.read_text("utf-8")

    # offline: nothing to fetch, ECharts inlined whole
    assert not EXTERNAL.search(html)
    assert not CSS_URL.search(html)
    assert "<link" not in html.lower()
    assert "@import" not in html
    echarts = resources.files("dacu").joinpath("entrypoints/web/static/echarts.min.js")
    assert echarts.read_text("utf-8") in html

    # the headline figures, in yuan from fen exactly
    assert f"¥{yuan(board.totals.gmv)}" in html
    assert f"¥{yuan(board.totals.refunded)}" in html
    for section in ("概览", "目标达成", "亮点与不足", "投入产出", "退款", "环比", "热销商品"):
        assert section in html

    # 达成率 of every target, and whether it was met
    assert len(board.achievements) == 4
    for done in board.achievements:
        assert _percent(done.achievement_bp) in html
    met = sum(done.met for done in board.achievements)
    assert html.count('<span class="tag met">达成</span>') == met
    assert html.count('<span class="tag missed">未达成</span>') == len(board.achievements) - met
    assert "¥1,500,000,000.00" in html  # the GMV target, in yuan

    # 环比 against the 618 before it
    assert previous is not None
    assert previous.campaign_id == EARLIER
    change = compare(board.totals, previous.figures())["gmv"]
    assert change is not None
    assert f"{'+' if change >= 0 else ''}{_percent(change)}" in html
    assert "无可比活动" not in html

    # the charts' data: the hourly GMV adds up to the total
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', html, re.S).group(1))
    assert sum(data["gmv"]) == board.totals.gmv
    assert sum(data["payments"]) == board.totals.payments
    assert sum(part["value"] for part in data["channels"]) == board.totals.gmv
    assert [step["value"] for step in data["funnel"]] == [
        board.totals.uv,
        board.totals.carters,
        board.totals.orderers,
        board.totals.payers,
    ]


def test_the_csvs_and_the_workbook_add_up_to_the_dashboard(engine, tmp_path):
    _, board, previous, files = report_after_both(engine, tmp_path)
    assert previous is not None
    totals = board.totals.as_dict()

    with files.hourly_csv.open(encoding="utf-8-sig", newline="") as source:
        hours = list(csv.DictReader(source))
    for name in COUNTERS:
        assert sum(int(row[name]) for row in hours) == totals[name], name
    stamps = [datetime.fromisoformat(row["hour"]) for row in hours]
    assert all(stamp.utcoffset() == timedelta(hours=8) for stamp in stamps)  # local time
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(stamps))

    with files.summary_csv.open(encoding="utf-8-sig", newline="") as source:
        summary = {
            (row["section"], row["metric"], row["sku"]): row for row in csv.DictReader(source)
        }
    assert int(summary["totals", "gmv", ""]["value"]) == board.totals.gmv
    assert int(summary["spend", "roi_bp", ""]["value"]) == board.roi_bp
    phone = summary["target", "sku_units", "P-PHONE"]
    assert int(phone["target"]) == 10000
    change = compare(board.totals, previous.figures())
    assert int(summary["compare", "gmv", ""]["change_bp"]) == change["gmv"]
    assert int(summary["compare", "gmv", ""]["previous"]) == previous.totals["gmv"]

    book = load_workbook(files.xlsx)
    try:
        assert book.sheetnames == SHEETS
        overview = {row[3].value: row[2] for row in book["概览"].iter_rows(min_row=2)}
        gmv = overview["gmv"]
        assert isinstance(gmv.value, int | float)  # a number Excel can add, not text
        assert Decimal(str(gmv.value)) * 100 == board.totals.gmv
        assert gmv.number_format == '"¥"#,##0.00'
        assert Decimal(str(overview["conversion_bp"].value)) * 10000 == board.totals.conversion_bp
        assert book["概览"].freeze_panes == "A2"
        assert book["概览"]["A1"].font.bold

        hourly = book["每小时"]
        header = [cell.value for cell in hourly[1]]
        gmv_column = header.index("成交额")
        rows = list(hourly.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(hours)
        assert sum(Decimal(str(row[gmv_column])) for row in rows) * 100 == board.totals.gmv

        assert book["目标"].max_row == 1 + len(board.achievements)
        compared = {row[0]: row[3] for row in book["环比"].iter_rows(min_row=2, values_only=True)}
        assert Decimal(str(compared["成交额"])) * 10000 == change["gmv"]
        skus = list(book["商品"].iter_rows(min_row=2, values_only=True))
        assert [row[0] for row in skus] == [sku.sku for sku in board.top_skus]
    finally:
        book.close()


def test_a_campaign_with_none_before_it_says_there_is_nothing_to_compare(engine, tmp_path):
    campaigns = apply_both(engine)
    ingest(engine, campaigns, shoppers(5, EARLIER, 60, EARLIER_BURST))
    store, alerts, cases = SqlKpiStore(engine), SqlAlertStore(engine), SqlCaseStore(engine)
    campaign = campaigns.campaign(EARLIER)
    board, _ = review.archive(store, alerts, cases, campaign, AFTER_BOTH)
    previous = cases.previous(EARLIER, review.span(campaign)[0])
    assert previous is None

    files = write_report(board, campaign, previous, tmp_path, SHANGHAI, generated_at=AFTER_BOTH)

    assert "无可比活动" in files.html.read_text("utf-8")
    book = load_workbook(files.xlsx)
    try:
        assert book["环比"]["A2"].value == "无可比活动"
    finally:
        book.close()


def test_every_finished_campaign_is_archived_and_left_alone_once_settled(engine):
    history(engine)
    cases = SqlCaseStore(engine)
    during = datetime(2026, 11, 12, 10, 0, tzinfo=SHANGHAI)

    # given the 双十一 still running: only the 618 goes into the library
    assert [case.campaign_id for case in archive_finished(bootstrap(engine), during)] == [EARLIER]
    # when both are over: the 618 (archived well after its end) is settled and kept as
    # it is; the 双十一 goes in, and is archived again while refunds can still arrive
    assert [case.campaign_id for case in archive_finished(bootstrap(engine), AFTER_BOTH)] == [
        CURRENT
    ]
    later = AFTER_BOTH + timedelta(days=3)
    assert [case.campaign_id for case in archive_finished(bootstrap(engine), later)] == [CURRENT]
    settled = datetime(2026, 12, 20, tzinfo=SHANGHAI)
    assert [case.campaign_id for case in archive_finished(bootstrap(engine), settled)] == [CURRENT]
    assert archive_finished(bootstrap(engine), settled + timedelta(days=1)) == []

    # then the library holds both, newest first, with the dashboard's figures
    kept = cases.all()
    assert [case.campaign_id for case in kept] == [CURRENT, EARLIER]
    board = SqlKpiStore(engine).cells(CURRENT)
    assert kept[0].totals["gmv"] == sum(figures.gmv for *_, figures in board)
    assert kept[0].archived_at == settled


def test_a_campaign_without_events_still_reports_zeros_in_every_file(engine, tmp_path):
    campaigns = apply_both(engine)
    campaign = campaigns.campaign(CURRENT)
    before_it = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    board = kpis.dashboard(SqlKpiStore(engine), SqlAlertStore(engine), campaign, before_it)

    files = write_report(board, campaign, None, tmp_path, SHANGHAI, generated_at=before_it)

    html = files.html.read_text("utf-8")
    assert "暂无数据" in html
    assert "¥0.00" in html
    assert "进行中 live" in html  # not over yet
    with files.hourly_csv.open(encoding="utf-8-sig", newline="") as source:
        assert list(csv.DictReader(source)) == []
    book = load_workbook(files.xlsx)
    try:
        assert book["每小时"].max_row == 1
    finally:
        book.close()
