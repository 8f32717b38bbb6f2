"""Orders as the order service needs them kept: loaded, saved only if unchanged since.

`save` is optimistic: it writes the order only while the stored version is the
one it was loaded with, and raises ConcurrentChange otherwise. Where the
database can, `get` also locks the row for the transaction, so writers queue
instead of failing. Refunds and the funding ledger live beside their order.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from dacu.domain.orders import Order, Refund
from dacu.domain.pricing import Share


class OrderRepository(Protocol):
    def add(self, order: Order, key: str, request_hash: str) -> bool:
        """Store a new order at version 1; False, with nothing written, when the
        customer's Idempotency-Key placed an order already."""
        ...

    def held_by(self, customer_id: str) -> dict[str, int]:
        """Units of each SKU the customer's orders not cancelled hold, this transaction's
        included; the customer is locked until it ends, so their checkouts queue here."""
        ...

    def find(self, customer_id: str, key: str) -> tuple[Order, str] | None:
        """The order placed with this Idempotency-Key, and the hash of its request."""
        ...

    def get(self, order_id: str) -> Order:
        """The order (locked for this transaction where the database can); UnknownOrder."""
        ...

    def save(self, order: Order) -> Order:
        """Write the order's state; ConcurrentChange unless the stored version is still
        `order.version`. Returns the order at its new version."""
        ...

    def unpaid_before(self, now: datetime) -> list[str]:
        """Unpaid orders whose time to pay ran out before `now`."""
        ...

    def refund_of(self, order: Order, key: str) -> Refund | None:
        """The refund this Idempotency-Key made on the order, if any."""
        ...

    def add_refund(
        self, order_id: str, refund_id: str, key: str, refund: Refund, now: datetime
    ) -> None: ...

    def book(
        self,
        order_id: str,
        refund_id: str | None,
        shop: str,
        shares: Sequence[Share],
        sign: int,
        now: datetime,
        funders: Mapping[str, str] | None = None,
    ) -> None:
        """Who funds each share, in the ledger: +1 when paid, −1 when clawed back;
        `funders` names the campaign budget funding each rule's platform part."""
        ...

    def funding(self, order_id: str | None = None) -> dict[str, Any]:
        """{"platform": fen, "merchants": {shop: fen}} net of clawbacks."""
        ...

    def refunded_money(self, order_id: str) -> int: ...
