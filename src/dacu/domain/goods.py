"""Goods (商品): shops run by merchants, and the SKUs they sell at their own prices.

The server owns what a thing costs: a cart names SKUs and quantities, and
every price, shop and category on its lines is the catalog's. A SKU belongs
to one shop for good; only that shop's merchant (or an operator) changes it.
Categories are a tree held as data (`domain/categories.py`) whose roots are
the categories campaigns scope by (服饰 apparel, 家电 appliances, 数码 digital
…); a SKU names a leaf or a root, and prices under its root.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from dacu.domain.cart import CartLine
from dacu.domain.categories import CategoryTree
from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.types import MAX_FEN, Fen

MAX_STOCK = 10**9
MAX_TITLE = 200


class SkuStatus(StrEnum):
    ON_SHELF = "on_shelf"  # 上架
    OFF_SHELF = "off_shelf"  # 下架


class UnknownSku(NotFound):
    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_SKU
    noun = "SKU"


class UnknownShop(NotFound):
    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_SHOP
    noun = "shop"


class NotYourShop(DomainError):
    """The SKU or shop belongs to another merchant."""

    code: ClassVar[ErrorCode] = ErrorCode.FORBIDDEN


@dataclass(frozen=True, slots=True)
class Shop:
    id: str
    merchant: str  # the merchant principal's subject
    name: str


@dataclass(frozen=True, slots=True)
class Sku:
    id: str
    shop: str
    category: str
    title: str
    list_price: Fen
    cost_price: Fen
    status: SkuStatus = SkuStatus.ON_SHELF
    stock: int | None = None  # units on sale; None: not tracked
    size_class: str = ""  # the parcel's size class (大件 …) the logistics subsidy pays by

    def __post_init__(self) -> None:
        if not self.id or "|" in self.id or len(self.id) > 64:
            raise InvalidRule("sku", "must be 1 to 64 characters without '|'")
        if not self.category or len(self.category) > 64:
            raise InvalidRule("category", "must be 1 to 64 characters")
        if not self.title.strip() or len(self.title) > MAX_TITLE:
            raise InvalidRule("title", f"must be 1 to {MAX_TITLE} characters")
        if not 0 < self.list_price <= MAX_FEN:
            raise InvalidRule("list_price", f"must be between 1 and {MAX_FEN} fen")
        if not 0 <= self.cost_price <= MAX_FEN:
            raise InvalidRule("cost_price", f"must be between 0 and {MAX_FEN} fen")
        if self.stock is not None and not 0 <= self.stock <= MAX_STOCK:
            raise InvalidRule("stock", f"must be between 0 and {MAX_STOCK}")
        if len(self.size_class) > 32 or not self.size_class.isprintable():
            raise InvalidRule("size_class", "must be at most 32 printable characters")

    @property
    def on_shelf(self) -> bool:
        return self.status is SkuStatus.ON_SHELF

    def line(self, qty: int, root: str) -> CartLine:
        """A cart line of `qty` units at the catalog's price, in `root`, the SKU's root
        category."""
        return CartLine(self.id, self.shop, self.list_price, qty, root)


def visible(shop: Shop, merchant: str | None) -> bool:
    """Whether the merchant (None: an operator, who sees all) may see the shop at all."""
    return merchant is None or shop.merchant == merchant


def check_owner(shop: Shop, merchant: str | None) -> None:
    """Only the shop's merchant may change it (None: an operator, who may)."""
    if merchant is not None and shop.merchant != merchant:
        raise NotYourShop(f"shop {shop.id} is not yours")


def lines_of(
    wanted: Sequence[tuple[str, int]],
    found: dict[str, Sku],
    tree: CategoryTree,
    field: str = "cart.items",
) -> list[CartLine]:
    """The cart's lines from the catalog: an unknown or off-shelf SKU is refused, naming
    its line."""
    lines = []
    for i, (sku_id, qty) in enumerate(wanted):
        sku = found.get(sku_id)
        if sku is None:
            raise InvalidRule(f"{field}[{i}].sku", f"no SKU {sku_id} in the catalog")
        if not sku.on_shelf:
            raise InvalidRule(f"{field}[{i}].sku", f"{sku_id} is off the shelf")
        try:
            lines.append(sku.line(qty, tree.root_of(sku.category)))
        except InvalidRule as error:
            raise error.within(f"{field}[{i}]") from None
    return lines
