"""Flash sales in the system of record: definitions, stock added, orders' states."""

from datetime import datetime, timedelta
from typing import Protocol

from dacu.domain.flashsale import FlashOrder, FlashSale, Hold


class FlashStore(Protocol):
    def define(self, sale: FlashSale) -> bool:
        """Record the sale; True if it was new (defining again never resets stock)."""
        ...

    def get(self, sale_id: str) -> FlashSale | None: ...

    def live(self, now: datetime, grace: timedelta = ...) -> list[FlashSale]:
        """Sales open now, or ended within `grace` (their holds may still be settling)."""
        ...

    def add_stock(self, sale_id: str, qty: int, restock_at: datetime | None) -> bool: ...

    def orders(self, sale_id: str) -> list[FlashOrder]: ...

    def order(self, sale_id: str, request_id: str) -> FlashOrder | None: ...

    def write_missing(self, sale_id: str, holds: list[Hold]) -> int:
        """Orders for holds that have none; returns how many were written."""
        ...

    def move(
        self, sale_id: str, request_id: str, frm: tuple[str, ...], to: str, now: datetime
    ) -> bool:
        """Move an order from one of `frm` to `to`; False if another move won."""
        ...

    def due(self, now: datetime, limit: int = ...) -> list[FlashOrder]:
        """Reserved orders past their sale's time to pay, and releases left half done."""
        ...
