"""The catalog at the edge: a SKU as the API takes it, and a merchant's import file.

An import is CSV or XLSX with a header row, in Chinese or English
(商品编码/sku, 标题/title, 类目/category, 售价/list_price, 成本价/cost_price,
库存/stock, 状态/status, 尺寸等级/size_class — what the logistics subsidy pays
by); prices in yuan to the fen ("12.90"), as merchants keep them. Every row is
checked; when any is wrong the whole file is refused with every problem's row
and column, and nothing is applied.
"""

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal, NamedTuple

from pydantic import Field

from dacu.domain.categories import CategoryTree
from dacu.domain.errors import DomainError, ErrorCode, InvalidRule
from dacu.domain.goods import Shop, Sku, SkuStatus
from dacu.schemas.bounds import PRINTABLE, Count, Fen, Id, Name
from dacu.schemas.categories import packaged_categories
from dacu.schemas.promotions import In
from dacu.schemas.spreadsheets import drop_trailing_blanks, xlsx_rows

MAX_ROWS = 20_000  # a 1 MB request holds about this many

COLUMNS = {
    "sku": "sku", "商品编码": "sku", "title": "title", "标题": "title",
    "category": "category", "类目": "category", "list_price": "list_price",
    "售价": "list_price", "cost_price": "cost_price", "成本价": "cost_price",
    "stock": "stock", "库存": "stock", "status": "status", "状态": "status",
    "size_class": "size_class", "尺寸等级": "size_class",
}  # fmt: skip
REQUIRED = ("sku", "title", "category", "list_price")
STATUS = {"on_shelf": "on_shelf", "上架": "on_shelf", "off_shelf": "off_shelf", "下架": "off_shelf"}


class ShopIn(In):
    name: Name = Field(min_length=1)
    merchant: Id | None = None  # operators name the merchant; a merchant opens their own


class SkuIn(In):
    shop: Id
    category: Id
    title: Name = Field(min_length=1)
    list_price: Fen
    cost_price: Fen = 0
    stock: Count | None = None
    status: Literal["on_shelf", "off_shelf"] = "on_shelf"
    size_class: str = Field("", max_length=32, pattern=PRINTABLE)  # 物流补贴 pays by it

    def to_domain(self, sku_id: str) -> Sku:
        return Sku(
            sku_id,
            self.shop,
            self.category,
            self.title,
            self.list_price,
            self.cost_price,
            SkuStatus(self.status),
            self.stock,
            self.size_class,
        )


class Problem(NamedTuple):
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


class ImportRejected(DomainError):
    """The file has problems; nothing was applied."""

    code: ClassVar[ErrorCode] = ErrorCode.INVALID

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was applied", "file")
        self.problems = problems


def read_rows(data: bytes, filename: str) -> list[list[Any]]:
    """The file's rows (header first), from XLSX or CSV (UTF-8, with or without BOM),
    numbered as the file numbers them: a blank row is an empty list. An XLSX file is
    checked before it is opened (`spreadsheets.py`); more than MAX_ROWS filled rows is
    refused naming `file`."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return xlsx_rows(data, MAX_ROWS)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRule("file", "a CSV file must be UTF-8") from None
    try:
        rows = [row if any(c.strip() for c in row) else [] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise InvalidRule("file", f"not a readable CSV file: {error}") from None
    if sum(1 for row in rows if row) > MAX_ROWS + 1:
        raise InvalidRule("file", f"at most {MAX_ROWS} rows under the header")
    return drop_trailing_blanks(rows)


def parse_import(rows: list[list[Any]], shop: Shop, tree: CategoryTree | None = None) -> list[Sku]:
    """Every row as a SKU of `shop` (in a category of `tree`, the packaged one for None),
    or ImportRejected with every problem found. Blank rows are passed over."""
    tree = tree or packaged_categories()
    if not rows:
        raise ImportRejected([Problem(1, "", "the file is empty")])
    header = [COLUMNS.get(str(c or "").strip().lower(), COLUMNS.get(str(c or "").strip()))
              for c in rows[0]]  # fmt: skip
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportRejected([Problem(1, name, "column missing") for name in missing])
    if sum(1 for row in rows[1:] if row) > MAX_ROWS:
        raise ImportRejected([Problem(MAX_ROWS + 2, "", f"at most {MAX_ROWS} rows")])
    problems: list[Problem] = []
    found: list[Sku] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        cells = {name: row[i] if i < len(row) else None for i, name in enumerate(header) if name}
        sku = _row(cells, shop, tree, number, problems)
        if sku is None:
            continue
        if sku.id in seen:
            problems.append(Problem(number, "sku", f"{sku.id} is also on row {seen[sku.id]}"))
            continue
        seen[sku.id] = number
        found.append(sku)
    if problems:
        raise ImportRejected(problems)
    return found


def _row(
    cells: dict[str, Any], shop: Shop, tree: CategoryTree, number: int, problems: list[Problem]
) -> Sku | None:
    before = len(problems)

    def take(name: str, parse: Any, default: Any = None) -> Any:
        raw = cells.get(name)
        if raw is None or str(raw).strip() == "":
            if name in REQUIRED:
                problems.append(Problem(number, name, "empty"))
            return default
        try:
            return parse(raw)
        except ValueError as error:
            problems.append(Problem(number, name, str(error)))
            return default

    values = {
        "sku": take("sku", _text),
        "title": take("title", _text),
        "category": take("category", lambda raw: _category(raw, tree)),
        "list_price": take("list_price", fen_of_yuan),
        "cost_price": take("cost_price", fen_of_yuan, 0),
        "stock": take("stock", units_of),
        "status": take("status", _status, "on_shelf"),
        "size_class": take("size_class", _text, ""),
    }
    if len(problems) > before:
        return None
    try:
        return Sku(
            values["sku"], shop.id, values["category"], values["title"],
            values["list_price"], values["cost_price"], SkuStatus(values["status"]),
            values["stock"], values["size_class"],
        )  # fmt: skip
    except InvalidRule as error:
        problems.append(Problem(number, error.field or "", error.message))
        return None


def fen_of_yuan(raw: Any) -> int:
    """Yuan as fen ("12.90" → 1290), exactly; more than two decimals is an error."""
    try:
        amount = Decimal(str(raw).strip().replace(",", "").removeprefix("¥"))
    except InvalidOperation:
        raise ValueError(f"{raw} is not an amount of yuan") from None
    if not amount.is_finite() or amount * 100 != (amount * 100).to_integral_value():
        raise ValueError(f"{raw} is not an amount of yuan to the fen")
    return int(amount * 100)


def _text(raw: Any) -> str:
    text = str(raw).strip()
    if any(ord(c) < 32 for c in text):
        raise ValueError("control characters are not allowed")
    return text


def units_of(raw: Any) -> int:
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"{raw} is not a number of units") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise ValueError(f"{raw} is not a whole number of units")
    return int(number)


def _category(raw: Any, tree: CategoryTree) -> str:
    code = _text(raw)
    if code not in tree:
        raise ValueError(f"{code} is not a category")
    return code


def _status(raw: Any) -> str:
    found = STATUS.get(str(raw).strip().lower())
    if found is None:
        raise ValueError(f"{raw} is not 上架/下架 (on_shelf/off_shelf)")
    return found


def example_goods() -> list[tuple[Shop, list[Sku]]]:
    """The shops and SKUs the example campaign (examples/double11.yaml) sells, from the
    packaged `examples/double11_goods.csv` (an import file with shop and merchant)."""
    from importlib import resources

    text = resources.files("dacu").joinpath("examples/double11_goods.csv").read_text("utf-8")
    rows = read_rows(text.encode(), "double11_goods.csv")
    shops: dict[str, tuple[Shop, list[list[Any]]]] = {}
    for row in filter(None, rows[1:]):
        shop = Shop(row[0], row[1], row[0])
        shops.setdefault(shop.id, (shop, [rows[0][2:]]))[1].append(row[2:])
    return [(shop, parse_import(shop_rows, shop)) for shop, shop_rows in shops.values()]
