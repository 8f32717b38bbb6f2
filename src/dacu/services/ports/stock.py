"""Tracked stock, reserved per order: all lines or none, once per order id."""

from collections.abc import Iterable, Sequence
from typing import Protocol


class StockReservations(Protocol):
    def reserve(self, order_id: str, lines: Sequence[tuple[str, int]]) -> None:
        """Take `qty` of each tracked `sku` for the order, all or none; SoldOut otherwise.

        Reserving again for the same order id takes nothing more while it holds
        its units; once they were given back, it reserves anew (an order is never
        written believing it holds units it does not). SKUs without tracked stock
        are not limited.
        """
        ...

    def release(self, order_id: str) -> None:
        """Give the order's reserved units back (cancelled, expired, never written).
        Releasing twice gives back once."""
        ...

    def set_stock(self, sku: str, available: int) -> None:
        """Track `sku` with `available` units on sale."""
        ...

    def available(self, sku: str) -> int | None:
        """Units of `sku` on sale now; None when it is not tracked."""
        ...

    def forget(self, skus: Iterable[str]) -> None:
        """The database's figures of `skus` were written directly (a catalog import, in
        its own transaction): drop any copy of them kept elsewhere."""
        ...
