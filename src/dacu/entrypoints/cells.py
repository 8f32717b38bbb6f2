"""Spreadsheet cells that stay text: a value a spreadsheet would read as a formula
(it begins with = + - @, a tab or a carriage return) never runs when the file is opened.

A SKU, a label or a message can come from anyone who names things; in a CSV
such a cell is written with a leading apostrophe, the mark spreadsheets read
as "this is text"; in a workbook it is a string cell with the quote prefix set,
so it shows as written and stays text even when edited.
"""

from collections.abc import Iterable, Mapping

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """The value as a CSV cell: text that a spreadsheet would run is marked as text."""
    return f"'{value}" if is_formula_like(value) else value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(value) for value in values]


def csv_record(row: Mapping[str, object]) -> dict[str, object]:
    return {key: csv_cell(value) for key, value in row.items()}
