"""The weekly budget review (每周预算复盘) as text for the terminal and as a workbook.

Money from integer fen: yuan text to the fen, and exact decimals in the
workbook with a yuan number format; ratios from basis points. Names that a
spreadsheet would read as a formula stay text (`entrypoints/cells.py`).
"""

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from dacu.domain.budget_review import ReviewRow, WeeklyReview
from dacu.domain.money import yuan
from dacu.entrypoints.cells import is_formula_like

MONEY = '"¥"#,##0.00'
HEADER = (
    "名称 name",
    "部门 department",
    "上限 cap (元)",
    "花费 spend (元)",
    "订单 orders",
    "GMV (元)",
    "单均花费 per order (元)",
    "费比 spend/GMV",
    "ROI",
    "关注 flag",
)


def ratio(bp: int | None) -> str:
    """Basis points as a ratio to two places: 35000 -> '3.50'; '—' for none."""
    if bp is None:
        return "—"
    whole, part = divmod(bp, 10_000)
    return f"{whole}.{part // 100:02d}"


def percent(bp: int | None) -> str:
    if bp is None:
        return "—"
    whole, part = divmod(bp, 100)
    return f"{whole}.{part:02d}%"


def summary_rows(review: WeeklyReview) -> list[tuple[str, str]]:
    return [
        ("活动 campaign", review.campaign_id),
        ("周 week", f"{review.week} ({review.starts_at:%Y-%m-%d} – {review.ends_at:%Y-%m-%d})"),
        ("花费 spend", f"¥{yuan(review.spend)}"),
        ("GMV", f"¥{yuan(review.gmv)}"),
        ("订单 orders", str(review.orders)),
        ("新客 new customers", str(review.new_customers)),
        ("单均花费 spend per order", f"¥{yuan(review.per_order)}"),
        ("获客成本 spend per new customer", f"¥{yuan(review.per_new_customer)}"),
        ("ROI (GMV/花费)", ratio(review.roi_bp)),
    ]


def review_text(review: WeeklyReview) -> str:
    lines = [f"{label}: {value}" for label, value in summary_rows(review)]
    for title, rows in (
        ("部门 departments", review.departments),
        ("促销 promotions", review.promotions),
    ):
        lines += ["", title, " | ".join(HEADER)]
        lines += [" | ".join(_text_cells(row)) for row in rows]
    return "\n".join(lines) + "\n"


def _text_cells(row: ReviewRow) -> list[str]:
    return [
        row.name or "(未分部门 none)",
        row.department or "",
        "—" if row.cap is None else yuan(row.cap),
        yuan(row.spend),
        str(row.orders),
        yuan(row.gmv),
        yuan(row.per_order),
        percent(row.cost_bp),
        ratio(row.roi_bp),
        "⚠ 花费效率最差 worst" if row.flagged else "",
    ]


def review_xlsx(review: WeeklyReview) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "复盘 summary"
    for label, value in summary_rows(review):
        _append(sheet, [label, value], money=())
    for title, rows in (
        ("部门 departments", review.departments),
        ("促销 promotions", review.promotions),
    ):
        part = book.create_sheet(title)
        part.append(list(HEADER))
        for cell in part[1]:
            cell.font = Font(bold=True)
        for row in rows:
            _append(part, _cells(row), money=(2, 3, 5, 6))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(row: ReviewRow) -> list[Any]:
    return [
        row.name or "(未分部门 none)",
        row.department or "",
        None if row.cap is None else Decimal(row.cap) / 100,
        Decimal(row.spend) / 100,
        row.orders,
        Decimal(row.gmv) / 100,
        Decimal(row.per_order) / 100,
        percent(row.cost_bp),
        ratio(row.roi_bp),
        "⚠ worst" if row.flagged else "",
    ]


def _append(sheet: Any, cells: list[Any], money: tuple[int, ...]) -> None:
    sheet.append(cells)
    for index, cell in enumerate(sheet[sheet.max_row]):
        if index in money:
            cell.number_format = MONEY
        elif is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
