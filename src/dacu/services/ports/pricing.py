"""Pricing as the order service sees it: the best legal price now, and 每人限购."""

from datetime import datetime
from typing import Protocol

from dacu.domain.cart import Cart, Customer
from dacu.domain.pricing import PriceResult


class Pricing(Protocol):
    def quote(
        self, cart: Cart, customer: Customer, now: datetime, *, explain: bool = False
    ) -> PriceResult:
        """The best legal price of `cart` for `customer` at `now` (what checkout locks)."""
        ...

    def check_purchase_limits(self, cart: Cart, customer: Customer, now: datetime) -> None:
        """Raise InvalidRule naming the cart line that breaks a campaign's 每人限购."""
        ...
