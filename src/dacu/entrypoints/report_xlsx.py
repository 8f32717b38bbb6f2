"""The report as a workbook: 概览 / 目标 / 每小时 / 渠道 / 商品 / 环比.

Money goes in as exact decimals of its fen (Decimal(fen) / 100) with a yuan number
format, rates as decimals of their basis points with a percent format: what Excel
sums is what the dashboard counted, to the fen.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

# openpyxl ships no type hints (its stubs are the separate types-openpyxl)
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dacu.domain.kpis import COUNTERS, RATIOS, Figures, ratio_bp
from dacu.domain.review import Case, Dashboard
from dacu.entrypoints.cells import is_formula_like
from dacu.entrypoints.report_figures import (
    CHANNELS_ZH,
    HEADLINE,
    METRICS,
    REFUNDS,
    SEGMENTS_ZH,
    SPEND,
    Unit,
    comparison,
    exact,
    figures_of,
    target_label,
    target_unit,
)

FORMATS = {
    Unit.FEN: '"¥"#,##0.00',
    Unit.BP: "0.00%",
    Unit.COUNT: "#,##0",
    Unit.TIMES: '0.00"×"',
}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C62828")
_PART_KEYS = ("uv", "payers", "payments", "gmv", "aov", "conversion_bp", "refund_rate_bp")

Cell = tuple[object, str | None]  # a value and its number format
Sheet = Any  # an openpyxl worksheet


def write(
    path: Path,
    board: Dashboard,
    previous: Case | None,
    hours: Sequence[tuple[datetime, Figures]],
    zone: tzinfo,
) -> None:
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = "概览"
    _overview(overview, board)
    _targets(book.create_sheet("目标"), board)
    _hourly(book.create_sheet("每小时"), hours, zone)
    _parts(book.create_sheet("渠道"), board)
    _skus(book.create_sheet("商品"), board)
    _compared(book.create_sheet("环比"), board, previous)
    book.save(path)


def _figure(value: int, unit: Unit) -> Cell:
    return exact(value, unit), FORMATS[unit]


def _sheet(sheet: Sheet, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    """A header row styled and frozen, the rows under it, columns wide enough to read."""
    sheet.append(list(headers))
    _keep_text(sheet)
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    widths = [_width(header) for header in headers]
    for row in rows:
        sheet.append([value for value, _ in row])
        _keep_text(sheet)
        for column, (value, number_format) in enumerate(row, start=1):
            if number_format:
                sheet.cell(row=sheet.max_row, column=column).number_format = number_format
            widths[column - 1] = max(widths[column - 1], _width(value) + 2)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width, 48)


def _keep_text(sheet: Sheet) -> None:
    """The last row's text that a spreadsheet would run as a formula (openpyxl makes any
    string starting with = one) stays a string cell, quote-prefixed so it stays text."""
    for cell in sheet[sheet.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True


def _width(value: object) -> int:
    """Columns for a value; CJK characters take two."""
    shown = f"{value:,.2f}" if isinstance(value, Decimal) else str(value)
    return sum(2 if ord(char) > 0x2E80 else 1 for char in shown) + 2


def _text(value: object) -> Cell:
    return value, None


def _overview(sheet: Sheet, board: Dashboard) -> None:
    """The headline figures first, then spend and refunds, then every other counter."""
    figures = figures_of(board)
    order = dict.fromkeys((*HEADLINE, *SPEND, *REFUNDS, *figures))
    rows = [
        (
            _text(METRICS[key].zh),
            _text(METRICS[key].en),
            _figure(figures[key], METRICS[key].unit),
            _text(key),
        )
        for key in order
    ]
    _sheet(sheet, ["指标", "Metric", "数值", "字段 key"], rows)


def _targets(sheet: Sheet, board: Dashboard) -> None:
    rows = []
    for done in board.achievements:
        unit = target_unit(done)
        rows.append(
            (
                _text(target_label(done)),
                _text(done.sku or ""),
                _figure(done.target, unit),
                _figure(done.actual, unit),
                _figure(done.achievement_bp, Unit.BP),
                _text("达成" if done.met else "未达成"),
            )
        )
    _sheet(sheet, ["目标", "SKU", "目标值", "实际值", "达成率", "是否达成"], rows)


def _hourly(sheet: Sheet, hours: Sequence[tuple[datetime, Figures]], zone: tzinfo) -> None:
    names = (*COUNTERS, *RATIOS)
    rows = []
    for hour, figures in hours:
        values = figures.snapshot()
        # Excel keeps no time zone: the hour is written as the campaign's local time
        local = hour.astimezone(zone).replace(tzinfo=None)
        rows.append(
            [(local, "yyyy-mm-dd hh:mm")]
            + [_figure(values[name], METRICS[name].unit) for name in names]
        )
    _sheet(sheet, ["小时", *(METRICS[name].zh for name in names)], rows)


def _parts(sheet: Sheet, board: Dashboard) -> None:
    """Channels, then new and returning customers, with each one's share of GMV."""
    parts = [("渠道", CHANNELS_ZH.get(str(k), str(k)), v) for k, v in board.channels.items()]
    parts += [("客群", SEGMENTS_ZH.get(str(k), str(k)), v) for k, v in board.segments.items()]
    rows = []
    for kind, name, part in parts:
        values = part.snapshot()
        rows.append(
            [_text(kind), _text(name)]
            + [_figure(values[key], METRICS[key].unit) for key in _PART_KEYS]
            + [_figure(ratio_bp(part.gmv, board.totals.gmv), Unit.BP)]
        )
    headers = ["维度", "名称", *(METRICS[key].zh for key in _PART_KEYS), "成交占比"]
    _sheet(sheet, headers, rows)


def _skus(sheet: Sheet, board: Dashboard) -> None:
    rows = [
        (
            _text(sku.sku),
            _figure(sku.views, Unit.COUNT),
            _figure(sku.carts, Unit.COUNT),
            _figure(ratio_bp(sku.carts, sku.views), Unit.BP),
            _figure(sku.units, Unit.COUNT),
            _figure(sku.gmv, Unit.FEN),
            _figure(ratio_bp(sku.gmv, board.totals.gmv), Unit.BP),
        )
        for sku in board.top_skus
    ]
    _sheet(sheet, ["SKU", "浏览", "加购", "加购率", "销量", "成交额", "成交占比"], rows)


def _compared(sheet: Sheet, board: Dashboard, previous: Case | None) -> None:
    if previous is None:
        _sheet(sheet, ["指标", "本次", "上次", "环比"], [[_text("无可比活动")]])
        return
    rows = [
        (
            _text(row.metric.zh),
            _figure(row.now, row.metric.unit),
            _figure(row.before, row.metric.unit),
            ("—", None) if row.change_bp is None else _figure(row.change_bp, Unit.BP),
        )
        for row in comparison(board, previous)
    ]
    _sheet(sheet, ["指标", "本次", f"上次 ({previous.campaign_id})", "环比"], rows)
