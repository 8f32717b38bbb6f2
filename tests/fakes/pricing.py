"""Pricing with no campaigns: list prices, the customer's best coupons, and 每人限购
limits per SKU set by the test."""

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime

from dacu.domain.cart import Cart, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import PriceResult, price
from dacu.services.quotes import Wallets, wallet_of


@dataclass
class FakePricing:
    wallets: Wallets
    limits: dict[str, int] = field(default_factory=dict)  # sku → units a customer may buy
    quoted: int = 0

    def quote(
        self,
        cart: Cart,
        customer: Customer,
        now: datetime,
        *,
        explain: bool = False,
        spent: AbstractSet[str] = frozenset(),
    ) -> PriceResult:
        self.quoted += 1
        wallet = wallet_of(self.wallets, customer.id, now)
        return price(cart, customer, [], wallet, now, explain=explain)

    def bases(self, now: datetime) -> dict[str, int]:
        return {}  # no budgets capped here

    def moved(self, budgets: Mapping[str, int]) -> None:
        return None

    def check_purchase_limits(
        self, cart: Cart, customer: Customer, now: datetime
    ) -> dict[str, int]:
        for i, line in enumerate(cart.lines):
            limit = self.limits.get(line.sku)
            if limit is not None and customer.bought.get(line.sku, 0) + line.qty > limit:
                raise InvalidRule(f"cart.items[{i}].qty", f"{limit} of {line.sku} a customer")
        return {line.sku: self.limits[line.sku] for line in cart.lines if line.sku in self.limits}
