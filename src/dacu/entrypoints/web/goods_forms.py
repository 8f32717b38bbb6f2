"""The SKU form of the goods screen: what was typed, read into a SKU or into errors per field.

Prices are typed in yuan to the fen, as merchants keep them, and become fen
here; every field that is wrong is named with a label of the console's own
(Chinese first), so the form can show each error beside its field.
"""

from dataclasses import dataclass, field
from typing import Any

from dacu.domain.errors import InvalidRule
from dacu.domain.goods import Sku, SkuStatus
from dacu.schemas.goods import fen_of_yuan, units_of

FIELDS = (
    "sku", "shop", "category", "title", "list_price", "cost_price", "stock", "status",
    "size_class",
)  # fmt: skip

# which label explains a broken rule of the domain, by the field it names
_RULES = {
    "sku": "err_sku_id",
    "shop": "err_shop",
    "category": "err_category",
    "title": "err_title",
    "list_price": "err_list_price",
    "cost_price": "err_cost_price",
    "stock": "err_stock",
    "status": "err_status",
    "size_class": "err_size_class",
}


@dataclass
class SkuForm:
    values: dict[str, str]  # as typed (or as stored, yuan for prices)
    errors: dict[str, str] = field(default_factory=dict)  # field → label key

    def fail(self, name: str, label: str | None = None) -> None:
        self.errors.setdefault(name, label or _RULES.get(name, "err_field"))

    def fail_rule(self, error: InvalidRule) -> None:
        self.fail(error.field if error.field in _RULES else "sku")


def problem_row(row: int | None, column: str, message: str) -> dict[str, Any]:
    """One problem of an import as the screen lists it: its row and column, a label of
    the console's own saying what the column wants, and the reader's detail."""
    if message == "empty":
        label = "err_required"
    elif message == "column missing":
        label = "problem_missing_column"
    elif " is also on row " in message:
        label = "problem_duplicate"
    else:
        label = _RULES.get(column, "problem_file")
    return {"row": row, "column": column, "label": label, "message": message}


def plain_yuan(amount: int) -> str:
    """Fen as the yuan a merchant types: 399900 → "3999.00" (no separators)."""
    whole, fen = divmod(amount, 100)
    return f"{whole}.{fen:02d}"


def form_of(sku: Sku) -> SkuForm:
    """The form filled with the SKU as stored."""
    return SkuForm(
        {
            "sku": sku.id,
            "shop": sku.shop,
            "category": sku.category,
            "title": sku.title,
            "list_price": plain_yuan(sku.list_price),
            "cost_price": plain_yuan(sku.cost_price),
            "stock": "" if sku.stock is None else str(sku.stock),
            "status": sku.status.value,
            "size_class": sku.size_class,
        }
    )


def typed(raw: dict[str, Any]) -> SkuForm:
    """The form as posted: every field as text, trimmed."""
    return SkuForm({name: str(raw.get(name) or "").strip() for name in FIELDS})


def read_sku(form: SkuForm) -> Sku | None:
    """The SKU the form describes, or None with `form.errors` saying what is wrong."""
    values = form.values
    list_price = _parsed(form, "list_price", fen_of_yuan, required=True)
    cost_price = _parsed(form, "cost_price", fen_of_yuan, default=0)
    stock = _parsed(form, "stock", units_of)
    if not values["title"]:
        form.fail("title", "err_required")
    if values["status"] not in {s.value for s in SkuStatus}:
        form.fail("status")
    if form.errors:
        return None
    try:
        return Sku(
            values["sku"],
            values["shop"],
            values["category"],
            values["title"],
            list_price,
            cost_price,
            SkuStatus(values["status"]),
            stock,
            values.get("size_class", ""),
        )
    except InvalidRule as error:
        form.fail_rule(error)
        return None


def _parsed(
    form: SkuForm, name: str, parse: Any, required: bool = False, default: Any = None
) -> Any:
    text = form.values[name]
    if not text:
        if required:
            form.fail(name, "err_required")
        return default
    try:
        return parse(text)
    except ValueError:
        form.fail(name)
        return default
