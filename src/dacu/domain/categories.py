"""The category tree (类目): 服饰, 家电, 数码, 美妆 … at the top, their leaves below.

The tree is data (the package's `examples/categories.csv`, read by
`schemas/categories.py`), not code: a new leaf is a line in that file. A SKU
names a leaf or a root and prices under its root, which is what campaigns
scope by.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dacu.domain.errors import InvalidRule

MAX_DEPTH = 4
_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


@dataclass(frozen=True, slots=True)
class Category:
    code: str  # "digital.phones"
    parent: str | None  # None for a root
    zh: str  # 手机
    en: str  # Phones

    def __post_init__(self) -> None:
        if len(self.code) > 64 or not _CODE.match(self.code):
            raise InvalidRule("code", f"{self.code!r} is not a category code (a.b, lowercase)")
        if not self.zh.strip() or not self.en.strip():
            raise InvalidRule("name", f"{self.code} needs a Chinese and an English name")


class CategoryTree:
    """Every category, each under its parent; roots first in the order given."""

    def __init__(self, categories: Iterable[Category]) -> None:
        self._by_code: dict[str, Category] = {}
        for category in categories:
            if category.code in self._by_code:
                raise InvalidRule("code", f"{category.code} is listed twice")
            self._by_code[category.code] = category
        for category in self._by_code.values():
            if category.parent is not None and category.parent not in self._by_code:
                raise InvalidRule(
                    "parent", f"{category.code}'s parent {category.parent} is unknown"
                )
        for category in self._by_code.values():
            if len(self._chain(category.code)) > MAX_DEPTH:
                raise InvalidRule("parent", f"{category.code} is deeper than {MAX_DEPTH} levels")

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def check(self, code: str, field: str = "category") -> None:
        """InvalidRule naming `field` when `code` is not in the tree."""
        if code not in self._by_code:
            raise InvalidRule(field, f"{code!r} is not a category")

    def path(self, code: str) -> list[Category]:
        """The categories from the root down to `code` (数码 > 手机); empty if unknown."""
        return list(reversed(self._chain(code))) if code in self._by_code else []

    def root_of(self, code: str) -> str:
        """The top of the tree above `code`: itself when it is a root, or when the tree no
        longer knows it (a SKU stored before its category was dropped prices as itself)."""
        found = self.path(code)
        return found[0].code if found else code

    def children(self, code: str | None = None) -> list[Category]:
        """The categories right under `code` (the roots for None), in the order given."""
        return [c for c in self._by_code.values() if c.parent == code]

    def below(self, code: str) -> set[str]:
        """`code` and every category under it."""
        return {c for c in self._by_code if code in {x.code for x in self._chain(c)}}

    def every(self) -> list[Category]:
        """Depth first, each root followed by what is under it."""
        ordered: list[Category] = []

        def walk(parent: str | None) -> None:
            for child in self.children(parent):
                ordered.append(child)
                walk(child.code)

        walk(None)
        return ordered

    def _chain(self, code: str) -> list[Category]:
        """`code`, its parent, … up to its root (stops on a loop, which is then too deep)."""
        chain = [self._by_code[code]]
        while chain[-1].parent is not None and len(chain) <= MAX_DEPTH:
            chain.append(self._by_code[chain[-1].parent])
        return chain
