"""What is being bought, and by whom."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from dacu.domain.errors import InvalidRule
from dacu.domain.types import MAX_FEN, MAX_QTY, Fen


class CartMode(StrEnum):
    NORMAL = "normal"
    GROUP = "group"  # 拼团: group prices apply


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    first_order: bool = False
    phone_verified: bool = False
    member_tier: str | None = None
    bought: Mapping[str, int] = field(default_factory=dict)
    """Units of each SKU bought before this cart, for per-user limits."""


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    shop: str
    price: Fen
    qty: int
    category: str | None = None

    def __post_init__(self) -> None:
        if self.price < 0:
            raise InvalidRule("price", "must not be negative")
        if self.price > MAX_FEN:
            raise InvalidRule("price", f"must be at most {MAX_FEN}")
        if self.qty < 1:
            raise InvalidRule("qty", "must be at least 1")
        if self.qty > MAX_QTY:
            raise InvalidRule("qty", f"must be at most {MAX_QTY}")

    @property
    def list_amount(self) -> Fen:
        return self.price * self.qty


@dataclass(frozen=True, slots=True)
class Cart:
    lines: tuple[CartLine, ...]
    mode: CartMode = CartMode.NORMAL
    shops: tuple[str, ...] = field(init=False, compare=False)
    """Shops in the order they first appear."""

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidRule("items", "a cart needs at least one line")
        seen: set[str] = set()
        for i, line in enumerate(self.lines):
            if line.sku in seen:
                raise InvalidRule(f"items[{i}].sku", f"{line.sku} appears twice; merge the lines")
            seen.add(line.sku)
        object.__setattr__(self, "shops", tuple(dict.fromkeys(line.shop for line in self.lines)))
