"""Where the risk wiring keeps each deed's identity and verdict, and an order's delivery
address (see `domain/risk_deeds.py`)."""

from typing import Protocol

from dacu.domain.risk import Action
from dacu.domain.risk_deeds import Deed, DeedStatus, DeliveryAddress


class RiskDeeds(Protocol):
    def keep(self, deed: Deed) -> bool:
        """Keep the deed once per subject; False when one was kept already."""
        ...

    def find(self, subject: str) -> Deed | None: ...

    def move(self, subject: str, was: DeedStatus, to: DeedStatus) -> bool:
        """Move a deed on from `was`; False when it is no longer there (someone was first)."""
        ...

    def held(self, action: Action, limit: int = 100) -> list[Deed]:
        """Deeds of `action` waiting for a person, oldest first."""
        ...

    def keep_address(self, order_id: str, address: DeliveryAddress) -> None:
        """The order's delivery address (once; a retry keeps the first)."""
        ...

    def address(self, order_id: str) -> DeliveryAddress | None: ...
