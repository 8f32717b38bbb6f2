"""A shop's rebate statement (返利对账单) as CSV and as a workbook.

Every accrual line names its order and member; the totals follow the lines.
Money is written from integer fen: in the CSV as yuan text to the fen
("10.00"), in the workbook as exact decimals (Decimal(fen) / 100) with a
yuan number format. Ids and reasons that a spreadsheet would read as a
formula stay text (`entrypoints/cells.py`).
"""

import csv
import io
from collections.abc import Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from dacu.domain.rebates import Accrual, ShopTotals
from dacu.domain.types import Fen
from dacu.entrypoints.cells import csv_row, is_formula_like

HEADER = (
    "时间 at",
    "类型 kind",
    "店铺 shop",
    "活动 campaign",
    "会员 member",
    "订单 order",
    "店内实付 paid at shop (元)",
    "返利 rebate (元)",
    "状态 status",
    "原因 reason",
)
KINDS_ZH = {"new_member": "商家码拉新 new member", "first_order": "首单返点 first order"}
STATUS_ZH = {
    "accrued": "已计提 accrued",
    "held": "审核中 held",
    "unfunded": "预算用尽 unfunded",
    "refused": "已拒绝 refused",
    "reversed": "已冲回 reversed",
    "settled": "已结算 settled",
}
MONEY = '"¥"#,##0.00'


def total_rows(totals: ShopTotals) -> list[tuple[str, Fen]]:
    return [
        ("商家码拉新 new-member rebates", totals.new_member),
        ("首单返点 first-order rebates", totals.first_order),
        ("应结 owed", totals.owed),
        ("其中已结算 of which settled", totals.settled),
        ("审核中 held", totals.held),
        ("预算用尽 unfunded", totals.unfunded),
        ("已拒绝 refused", totals.refused),
        ("已冲回 reversed", totals.reversed),
    ]


def _cells(line: Accrual, zone: tzinfo) -> list[Any]:
    return [
        line.at.astimezone(zone).isoformat(timespec="seconds"),
        KINDS_ZH[line.kind.value],
        line.shop,
        line.campaign_id,
        line.customer_id,
        line.order_id,
        line.order_amount,
        line.amount,
        STATUS_ZH[line.status.value],
        line.reason,
    ]


def plain_yuan(amount: Fen) -> str:
    """Yuan to the fen without grouping: 123456 -> '1234.56'."""
    sign = "-" if amount < 0 else ""
    whole, fen = divmod(abs(amount), 100)
    return f"{sign}{whole}.{fen:02d}"


def statement_csv(totals: ShopTotals, lines: Sequence[Accrual], zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for line in lines:
        cells = _cells(line, zone)
        cells[6], cells[7] = plain_yuan(cells[6]), plain_yuan(cells[7])
        writer.writerow(csv_row(cells))
    writer.writerow([])
    for label, amount in total_rows(totals):
        writer.writerow(csv_row([label, plain_yuan(amount)]))
    return "\ufeff" + out.getvalue()  # a BOM: spreadsheets read the Chinese as UTF-8


def statement_xlsx(totals: ShopTotals, lines: Sequence[Accrual], zone: tzinfo) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "返利明细"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        cells = _cells(line, zone)
        cells[6], cells[7] = Decimal(cells[6]) / 100, Decimal(cells[7]) / 100
        _append(sheet, cells, money=(6, 7))
    summary = book.create_sheet("合计")
    _append(summary, ["店铺 shop", totals.shop], money=())
    _append(summary, ["活动 campaign", totals.campaign_id], money=())
    for label, amount in total_rows(totals):
        _append(summary, [label, Decimal(amount) / 100], money=(1,))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append(sheet: Any, cells: list[Any], money: tuple[int, ...]) -> None:
    sheet.append(cells)
    for index, cell in enumerate(sheet[sheet.max_row]):
        if index in money:
            cell.number_format = MONEY
        elif is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
