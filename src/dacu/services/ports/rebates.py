"""What merchant rebates need of storage: one transaction per paid or refunded order,
holding the customer's first-order row, and the shops' statements."""

from collections.abc import Collection
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from dacu.domain.ledger import Entry
from dacu.domain.rebates import Accrual, MerchantReferral, PaidOrder, RebateStatus, Sum
from dacu.domain.types import Fen


class RebateBook(Protocol):
    """One transaction: every call commits or rolls back together."""

    def claim_first(self, customer_id: str, order_id: str) -> tuple[str, bool]:
        """The customer's first paid order — claimed now if none was: the earliest placed
        of their paid orders (`order_id` if none is found) — and whether it was refunded
        whole. The customer's row is held to the commit, so one customer's facts queue."""
        ...

    def mark_refunded(self, customer_id: str) -> None: ...

    def order(self, order_id: str) -> PaidOrder | None: ...

    def verified(self, customer_id: str) -> bool:
        """Whether the customer verified their phone (有效客户)."""
        ...

    def merchant_referral(self, customer_id: str) -> MerchantReferral | None: ...

    def add(self, accrual: Accrual) -> bool:
        """Keep the accrual unless its key is kept already; True when it is new."""
        ...

    def move(
        self, key: str, to: RebateStatus, only: Collection[RebateStatus], at: datetime
    ) -> bool:
        """Move the accrual to `to` if it is in one of `only`; True when it moved."""
        ...

    def of_order(self, order_id: str) -> list[Accrual]: ...

    def line(self, key: str) -> Accrual | None: ...

    def draw(self, campaign_id: str, amount: Fen, base: Fen) -> bool:
        """Draw the campaign's merchant-code line; False when that passes `base`."""
        ...

    def give(self, campaign_id: str, amount: Fen) -> None:
        """Give back to the campaign's merchant-code line."""
        ...

    def post(self, entry: Entry) -> bool:
        """Post the ledger entry in this transaction, once per key."""
        ...


class RebateStore(Protocol):
    def book(self) -> AbstractContextManager[RebateBook]: ...

    def accruals(
        self, campaign_id: str, shops: Collection[str] | None = None, limit: int = 100_000
    ) -> list[Accrual]:
        """The campaign's accruals of `shops` (all for None), oldest first."""
        ...

    def sums(self, campaign_id: str, shops: Collection[str] | None = None) -> dict[str, list[Sum]]:
        """Each shop's lines of the campaign (only `shops`, when named) summed per kind and
        status, by shop."""
        ...

    def line_drawn(self, campaign_id: str) -> Fen:
        """What the campaign's merchant-code line has drawn, net of what was given back."""
        ...
