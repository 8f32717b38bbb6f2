"""Who the customer is, as the server knows it — never as the client says."""

from datetime import datetime
from typing import Protocol

from dacu.domain.cart import Customer


class CustomerFacts(Protocol):
    def facts(self, customer_id: str) -> Customer:
        """Whether this would be their first order (no order placed and not cancelled),
        whether their phone is verified, their member tier, and the units of each SKU
        their orders not cancelled hold (pending ones too, for 每人限购)."""
        ...


class CustomerProfiles(Protocol):
    def put(
        self,
        customer_id: str,
        now: datetime,
        *,
        phone: str | None = None,
        phone_verified: bool | None = None,
        member_tier: str | None = None,
    ) -> None:
        """Create the customer or change what is given (None leaves a field as it is)."""
        ...
