"""What shipments, ad spend and penalties need of storage (`adapters/shipment_store.py`,
`adapters/charges_store.py`).

Each `book()` is one transaction: the record's row and its ledger entry (through
`ledger`, a `LedgerBook` on the same connection) commit together or not at all."""

from collections.abc import Collection, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.orders import Order
from dacu.domain.penalties import AdSpend, Penalty
from dacu.domain.shipments import Shipment
from dacu.domain.types import Fen
from dacu.services.ports.ledger import LedgerBook


@dataclass(frozen=True, slots=True)
class ToShip:
    """A paid order's lines at one shop, and its shipment once recorded."""

    order_id: str
    shop: str
    paid_at: datetime
    units: Mapping[str, int]  # SKU → units
    shipment: Shipment | None


class ShipmentBook(Protocol):
    @property
    def ledger(self) -> LedgerBook:
        """The ledger on the book's own transaction."""
        ...

    def order(self, order_id: str) -> tuple[Order, datetime] | None:
        """The order and when it was paid (None: unknown, or never paid)."""
        ...

    def size_classes(self, skus: Collection[str]) -> Mapping[str, str]: ...

    def by_key(self, merchant: str, key: str) -> tuple[Shipment, str] | None:
        """The shipment recorded with this Idempotency-Key, and its request's hash."""
        ...

    def of_order(self, order_id: str, shop: str) -> Shipment | None: ...

    def add(self, shipment: Shipment, merchant: str, key: str, request_hash: str) -> bool:
        """Insert unless the order's shop already has one (or the key was used)."""
        ...

    def held(self, shipment_id: str) -> Shipment | None:
        """The shipment, held until the transaction ends."""
        ...

    def delivered(self, shipment: Shipment) -> bool:
        """Save the delivery if the stored shipment is still shipped."""
        ...


class ShipmentStore(Protocol):
    def book(self) -> AbstractContextManager[ShipmentBook]: ...

    def get(self, shipment_id: str) -> Shipment | None: ...

    def of_shop(self, shop: str, late: bool | None = None, limit: int = 500) -> list[Shipment]:
        """The shop's shipments, newest first."""
        ...

    def to_ship(self, shops: Collection[str], limit: int = 200) -> list[ToShip]:
        """The newest paid orders with lines at `shops`, each with its shipment if any."""
        ...


class ChargeBook(Protocol):
    @property
    def ledger(self) -> LedgerBook:
        """The ledger on the book's own transaction."""
        ...

    def hold_earned(self, campaign_id: str, shop: str) -> Fen:
        """The shop's ad rebate earned in the campaign so far, held until the end."""
        ...

    def spend(self, key: str) -> AdSpend | None: ...

    def add_spend(self, record: AdSpend) -> None:
        """Keep the record and add its rebate to the held total."""
        ...

    def penalty_by_key(self, actor: str, key: str) -> tuple[Penalty, str] | None: ...

    def add_penalty(self, penalty: Penalty, actor: str, key: str, request_hash: str) -> bool: ...

    def held_penalty(self, penalty_id: str) -> Penalty | None: ...

    def withdrawn(self, before: Penalty, after: Penalty) -> bool:
        """Save the withdrawal (and audit it) if the stored penalty is still recorded."""
        ...


class ChargeStore(Protocol):
    def book(self) -> AbstractContextManager[ChargeBook]: ...

    def spends(
        self, campaign_id: str, shops: Collection[str] | None = None, limit: int = 1000
    ) -> list[AdSpend]:
        """The campaign's ad spend records (of `shops`, when named), newest first."""
        ...

    def penalties(
        self, campaign_id: str, shops: Collection[str] | None = None, limit: int = 1000
    ) -> list[Penalty]: ...

    def penalty(self, penalty_id: str) -> Penalty | None: ...
