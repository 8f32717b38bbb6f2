"""Flash sales' ports: the record (definitions, stock added, orders' states), the gate's
async hot path, and the order streams from which orders are written."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from dacu.domain.flashsale import Decision, FlashOrder, FlashSale, Hold


class FlashStore(Protocol):
    def define(self, sale: FlashSale) -> bool:
        """Record the sale; True if it was new (defining again never resets stock)."""
        ...

    def get(self, sale_id: str) -> FlashSale | None: ...

    def all(self) -> list[FlashSale]: ...

    def campaigns(self) -> dict[str, tuple[str, str]]:
        """Every sale's campaign and promotion ('' for none), by sale id."""
        ...

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

    def link(self, sale_id: str, request_id: str, order_id: str) -> None:
        """Name the full order the flash order became."""
        ...

    def paid_unsettled(self, limit: int = ...) -> list[FlashOrder]:
        """Reserved flash orders whose full order has been paid."""
        ...

    def due(self, now: datetime, limit: int = ...) -> list[FlashOrder]:
        """Reserved orders past their sale's time to pay, and releases left half done."""
        ...

    def forget_rates(self, before: datetime) -> int:
        """Drop the SQL gate's per-second attempt counts older than `before`."""
        ...


class CheckedTerms(Protocol):
    """The risk check an attempt carries into the gate's own step (`risk_blocked` when a
    block rule's threshold is reached, before any stock is taken): the keys and
    arguments of the check's part (the gate's script knows their order), and what to
    do with the counts the step answers for an attempt on a sale (`answered(part,
    sale_id)`; a quiet answer — no rule fired, nothing to report — has none and is not
    handed over). The same terms serve every attempt of one buyer on one identity."""

    @property
    def keys(self) -> Sequence[str]: ...

    @property
    def args(self) -> Sequence[Any]: ...

    def answered(self, part: Any, sale_id: str) -> object: ...

    def renewed(self) -> None:
        """Carried on: what the terms count on read again where due (floors, behind)."""


class HotGate(Protocol):
    """The gate as async handlers use it (Redis): attempt, and look up one's hold."""

    async def attempt(
        self,
        sale_id: str,
        user_id: str,
        request_id: str,
        qty: int,
        now: datetime,
        ip: str = "",
        risk: CheckedTerms | None = None,
    ) -> Decision: ...

    async def hold(self, sale_id: str, request_id: str) -> tuple[Hold | None, int]:
        """The hold for `request_id`, and the sale's time to pay in ms (0: no such sale)."""
        ...


class StreamWriter(Protocol):
    """One process's consumer of the sales' order streams (each process its own name)."""

    def sales(self) -> list[str]:
        """The sales loaded into the gate, each with a stream to follow."""
        ...

    def join(self, sale_id: str) -> None: ...

    def run_once(self, sale_id: str, count: int = ..., block_ms: int | None = ...) -> int:
        """Write a batch (taking over what a silent writer left); returns entries done."""
        ...

    def forget_gone(self, sale_id: str, idle_ms: int = ...) -> int: ...


class OrderStreams(Protocol):
    """The sales' order streams (Redis only): accepted attempts on their way to the record."""

    def writer(self, consumer: str, idle_ms: int) -> StreamWriter: ...

    def holds(self, sale_id: str) -> list[Hold]:
        """Every accepted attempt in the sale's stream, as the hold it made."""
        ...
