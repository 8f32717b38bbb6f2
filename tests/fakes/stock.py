"""StockReservations in dicts: all lines or none, once per order, released once."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dacu.domain.orders import SoldOut


@dataclass
class FakeStock:
    on_sale: dict[str, int] = field(default_factory=dict)
    held: dict[str, dict[str, int]] = field(default_factory=dict)  # order → sku → units
    released: set[str] = field(default_factory=set)

    def set_stock(self, sku: str, available: int) -> None:
        self.on_sale[sku] = available

    def forget(self, skus: Iterable[str]) -> None:
        return None

    def available(self, sku: str) -> int | None:
        return self.on_sale.get(sku)

    def reserve(self, order_id: str, lines: Sequence[tuple[str, int]]) -> None:
        if order_id in self.held and order_id not in self.released:
            return
        self.released.discard(order_id)
        wanted: Counter[str] = Counter()
        for sku, qty in lines:
            if sku in self.on_sale:
                wanted[sku] += qty
        for sku, qty in wanted.items():
            if self.on_sale[sku] < qty:
                raise SoldOut(f"not enough {sku} left for {qty}")
        for sku, qty in wanted.items():
            self.on_sale[sku] -= qty
        self.held[order_id] = dict(wanted)

    def release(self, order_id: str) -> None:
        if order_id not in self.held or order_id in self.released:
            return
        self.released.add(order_id)
        for sku, qty in self.held[order_id].items():
            self.on_sale[sku] += qty

    def reserved(self, order_id: str) -> dict[str, int]:
        """What the order holds now (nothing once released)."""
        return {} if order_id in self.released else dict(self.held.get(order_id, {}))
