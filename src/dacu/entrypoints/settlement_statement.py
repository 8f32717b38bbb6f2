"""A settlement statement (补贴结算单) as CSV and as a workbook.

Every line names its ledger entry and the order, refund, shipment or penalty it
comes from; the statement's header and total follow. Money is written from
integer fen: in the CSV as yuan text to the fen ("10.00", a clawback or a penalty
"-10.00", never quoted: it is a number the file writes, not text someone typed), in
the workbook as exact decimals (Decimal(fen) / 100) with a yuan number format. Ids
that a spreadsheet would read as a formula stay text (`entrypoints/cells.py`).
"""

import csv
import io
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from dacu.domain.settlement import Statement, StatementLine
from dacu.domain.types import Fen
from dacu.entrypoints.cells import csv_row, is_formula_like
from dacu.entrypoints.rebate_statement import plain_yuan

HEADER = (
    "序号 no",
    "时间 at",
    "科目 kind",
    "来源 entry",
    "订单 order",
    "退款 refund",
    "其他 other refs",
    "金额 amount (元)",
)
KINDS_ZH = {
    "subsidy": "平台补贴 subsidy",
    "ad_rebate": "广告费返现 ad rebate",
    "logistics": "物流补贴 logistics",
    "rebate": "商家返利 rebate",
    "penalty": "违规罚款 penalty",
    "adjustment": "申诉调整 adjustment",
}
MONEY = '"¥"#,##0.00'
_OWN = ("order_id", "refund_id", "entry_kind")


def header_rows(statement: Statement, zone: tzinfo) -> list[tuple[str, str]]:
    return [
        ("结算单 statement", statement.id),
        ("活动 campaign", statement.campaign_id),
        ("店铺 shop", statement.shop),
        ("期次 seq", str(statement.seq)),
        ("出具 issued", statement.issued_at.astimezone(zone).isoformat(timespec="seconds")),
        ("付款截止 due on", statement.due_on.isoformat()),
        ("经办 prepared by", statement.prepared_by),
    ]


def _other(line: StatementLine) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(line.refs.items()) if k not in _OWN)


def _cells(line: StatementLine, zone: tzinfo) -> list[Any]:
    return [
        line.no,
        line.at.astimezone(zone).isoformat(timespec="seconds"),
        KINDS_ZH.get(line.kind.value, line.kind.value),
        line.entry_key,
        line.refs.get("order_id", ""),
        line.refs.get("refund_id", ""),
        _other(line),
        line.amount,
    ]


def statement_csv(statement: Statement, zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in header_rows(statement, zone):
        writer.writerow(csv_row([label, value]))
    writer.writerow([])
    writer.writerow(HEADER)
    for line in statement.lines:
        cells = _cells(line, zone)
        writer.writerow([*csv_row(cells[:7]), plain_yuan(cells[7])])  # −12.34 stays a number
    writer.writerow([])
    writer.writerow(["合计 total (元)", plain_yuan(statement.total)])
    return "\ufeff" + out.getvalue()  # a BOM: spreadsheets read the Chinese as UTF-8


def statement_xlsx(statement: Statement, zone: tzinfo) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "结算明细"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in statement.lines:
        cells = _cells(line, zone)
        cells[7] = _decimal(cells[7])
        _append(sheet, cells, money=(7,))
    summary = book.create_sheet("结算单")
    for label, value in header_rows(statement, zone):
        _append(summary, [label, value], money=())
    _append(summary, ["合计 total", _decimal(statement.total)], money=(1,))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _decimal(amount: Fen) -> Decimal:
    return Decimal(amount) / 100


def _append(sheet: Any, cells: list[Any], money: tuple[int, ...]) -> None:
    sheet.append(cells)
    for index, cell in enumerate(sheet[sheet.max_row]):
        if index in money:
            cell.number_format = MONEY
        elif is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
