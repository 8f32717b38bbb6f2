"""A customer's wallet as pricing reads it: the coupons held and still usable, at once."""

from datetime import datetime
from typing import Protocol

from dacu.domain.wallet import WalletItem


class HeldCoupons(Protocol):
    def held(self, customer_id: str, now: datetime) -> list[WalletItem]:
        """The coupons `customer_id` holds, unexpired at `now`, as pricing sees them, by id."""
        ...
