"""The report's data as CSV: exact integers, money in fen and rates in basis points,
named as the API names them. The workbook is the copy formatted for people; these
are the figures to load elsewhere, and they add up to the dashboard's totals.
Written with a byte-order mark, so Excel reads the Chinese labels as UTF-8; a text
cell a spreadsheet would run as a formula is written as text (`cells.py`)."""

import csv
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path

from dacu.domain.kpis import COUNTERS, RATIOS, Figures
from dacu.domain.review import Case, Dashboard
from dacu.entrypoints.cells import csv_record, csv_row
from dacu.entrypoints.report_figures import METRICS, comparison, figures_of


def write_hourly(path: Path, hours: list[tuple[datetime, Figures]], zone: tzinfo) -> None:
    """One row an hour, in local time; every counter and every ratio."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(csv_row(["hour", *COUNTERS, *RATIOS]))
        for hour, figures in hours:
            values = figures.snapshot()
            writer.writerow(
                csv_row(
                    [hour.astimezone(zone).isoformat(), *(values[n] for n in (*COUNTERS, *RATIOS))]
                )
            )


_SUMMARY = ("section", "metric", "sku", "label", "unit", "value", "target", "achievement_bp")


def write_summary(path: Path, board: Dashboard, previous: Case | None) -> None:
    """One row a figure: the totals, spend, each target, each metric of 环比."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, (*_SUMMARY, "previous", "change_bp"), restval="")
        writer.writeheader()
        for row in _summary_rows(board, previous):
            metric = METRICS[str(row["metric"])]
            writer.writerow(csv_record({"label": metric.zh, "unit": metric.unit.value, **row}))


def _summary_rows(board: Dashboard, previous: Case | None) -> Iterator[dict[str, object]]:
    counted = board.totals.snapshot()
    for key, value in figures_of(board).items():
        yield {"section": "totals" if key in counted else "spend", "metric": key, "value": value}
    for done in board.achievements:
        yield {
            "section": "target",
            "metric": done.metric,
            "sku": done.sku or "",
            "value": done.actual,
            "target": done.target,
            "achievement_bp": done.achievement_bp,
        }
    for compared in comparison(board, previous):
        yield {
            "section": "compare",
            "metric": compared.metric.key,
            "value": compared.now,
            "previous": compared.before,
            "change_bp": compared.change_bp,  # None, written empty: nothing to compare with
        }
