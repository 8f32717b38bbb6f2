"""Pricing as the order service sees it: the best legal price now, and 每人限购."""

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Protocol

from dacu.domain.cart import Cart, Customer
from dacu.domain.pricing import PriceResult
from dacu.domain.types import Fen


class Pricing(Protocol):
    def quote(
        self,
        cart: Cart,
        customer: Customer,
        now: datetime,
        *,
        explain: bool = False,
        spent: AbstractSet[str] = frozenset(),
    ) -> PriceResult:
        """The best legal price of `cart` for `customer` at `now` (what checkout locks);
        the platform shares of the budgets `spent` names (refused at checkout) left out."""
        ...

    def bases(self, now: datetime) -> Mapping[str, Fen]:
        """Each capped live campaign's base: what its budget may draw before the reserve."""
        ...

    def moved(self, budgets: Mapping[str, Fen]) -> None:
        """This process drew from or gave back to `budgets`: the figures it keeps are stale."""
        ...

    def check_purchase_limits(
        self, cart: Cart, customer: Customer, now: datetime
    ) -> Mapping[str, int]:
        """Raise InvalidRule naming the cart line that breaks a campaign's 每人限购; else
        the limit of each SKU of the cart that has one (for the intake to hold)."""
        ...
