"""The category tree as data: the package's `examples/categories.csv` (code, parent, zh,
en; a root has no parent), read once at start-up into the domain's `CategoryTree`."""

import csv
import io
from functools import cache
from importlib import resources

from dacu.domain.categories import Category, CategoryTree
from dacu.domain.errors import InvalidRule

MAX_CATEGORIES = 5_000


def read_categories(text: str) -> CategoryTree:
    """The tree a categories file describes; InvalidRule naming the line that is wrong."""
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows or len(rows) > MAX_CATEGORIES:
        raise InvalidRule("categories", f"list 1 to {MAX_CATEGORIES} categories")
    found = []
    for number, row in enumerate(rows, start=2):
        try:
            found.append(
                Category(
                    (row.get("code") or "").strip(),
                    (row.get("parent") or "").strip() or None,
                    (row.get("zh") or "").strip(),
                    (row.get("en") or "").strip(),
                )
            )
        except InvalidRule as error:
            raise InvalidRule(f"categories[{number}].{error.field}", error.message) from None
    return CategoryTree(found)


@cache
def packaged_categories() -> CategoryTree:
    """The tree shipped with dacu."""
    text = resources.files("dacu").joinpath("examples/categories.csv").read_text("utf-8")
    return read_categories(text)
