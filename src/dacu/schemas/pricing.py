"""The pricing edge: the cart, the customer and the result of the public scenario format.

`/work/shared/spec/pricing.md` fixes these shapes (the `dacu price` input and
its `--json` output); the HTTP API's quotes and orders and the CLI read carts
and customers through the same models and write results through the one
`result_to_json`. Pydantic checks the shape and the bounds at the edge; the
domain checks the business rules (tiers that increase, an off below its
threshold …). Either way the error names the field, e.g.
`promotions[0].tiers[1].threshold`.
"""

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dacu.domain.cart import Cart, CartLine, CartMode, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import PriceResult
from dacu.domain.promotions import Promotion
from dacu.domain.wallet import WalletItem
from dacu.schemas.bounds import Count, Fen, Id, Moment, Name, Qty
from dacu.schemas.promotions import In, PromotionIn, WalletItemIn, field_path
from dacu.schemas.shares import share_json

MAX_LINES = 500
MAX_PROMOTIONS = 10_000
MAX_WALLET = 1_000


class CustomerFactsIn(In):
    """What the customer says of themself; the id comes from the scenario or the login."""

    first_order: bool = False
    phone_verified: bool = False
    member_tier: Id | None = None
    bought: dict[Id, Count] = Field(default_factory=dict, max_length=MAX_LINES)

    def to_customer(self, customer_id: str) -> Customer:
        return Customer(
            id=customer_id,
            first_order=self.first_order,
            phone_verified=self.phone_verified,
            member_tier=self.member_tier,
            bought=dict(self.bought),
        )


class CustomerIn(CustomerFactsIn):
    id: Id


class CartItemIn(In):
    sku: Id
    shop: Id
    price: Fen
    qty: Qty
    category: Id | None = None


class CartIn(In):
    mode: Literal["normal", "group"] = "normal"
    items: list[CartItemIn] = Field(max_length=MAX_LINES)

    def to_domain(self) -> Cart:
        """The cart; raises InvalidRule naming the field, e.g. `cart.items[1].price`."""
        lines = []
        for i, item in enumerate(self.items):
            try:
                lines.append(CartLine(item.sku, item.shop, item.price, item.qty, item.category))
            except InvalidRule as error:
                raise error.within(f"cart.items[{i}]") from None
        try:
            return Cart(tuple(lines), CartMode(self.mode))
        except InvalidRule as error:
            raise error.within("cart") from None


class ScenarioIn(In):
    name: Name = ""
    now: Moment
    customer: CustomerIn
    cart: CartIn
    promotions: list[PromotionIn] = Field(default_factory=list, max_length=MAX_PROMOTIONS)
    wallet: list[WalletItemIn] = Field(default_factory=list, max_length=MAX_WALLET)
    expect: dict[str, Any] | None = None


class Scenario(BaseModel):
    """A scenario in domain terms, ready to price."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    name: str
    now: datetime
    customer: Customer
    cart: Cart
    promotions: tuple[Promotion, ...]
    wallet: tuple[WalletItem, ...]


class BadScenario(ValueError):
    """A scenario file that cannot be priced; the message names the field."""


def load_scenario(text: str) -> Scenario:
    """Parse and check a scenario; raises `BadScenario` naming the first bad field."""
    try:
        raw = ScenarioIn.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        raise BadScenario(f"{field_path(first['loc']) or 'scenario'}: {first['msg']}") from None
    return _to_domain(raw)


def _to_domain(raw: ScenarioIn) -> Scenario:
    where = "scenario"
    try:
        where = "customer"
        customer = raw.customer.to_customer(raw.customer.id)
        where = ""  # the cart names its own fields
        cart = raw.cart.to_domain()
        promotions = []
        for i, promotion in enumerate(raw.promotions):
            where = f"promotions[{i}]"
            promotions.append(promotion.to_domain())
        wallet = []
        for i, held in enumerate(raw.wallet):
            where = f"wallet[{i}]"
            wallet.append(held.to_domain())
    except InvalidRule as error:
        raise BadScenario(str(error.within(where))) from None
    return Scenario(
        name=raw.name,
        now=raw.now,
        customer=customer,
        cart=cart,
        promotions=tuple(promotions),
        wallet=tuple(wallet),
    )


def result_to_json(result: PriceResult, explain: bool = False) -> dict[str, Any]:
    """The result format of the pricing spec; with `explain`, why each rule applied or not."""
    data: dict[str, Any] = {
        "list_total": result.list_total,
        "discount_total": result.discount_total,
        "payable": result.payable,
        "exclusive": result.exclusive,
        "used": list(result.used),
        "lines": [
            {
                "sku": line.sku,
                "shop": line.shop,
                "qty": line.qty,
                "list_amount": line.list_amount,
                "payable": line.payable,
                "discounts": [share_json(d) for d in line.discounts],
            }
            for line in result.lines
        ],
        "applied": [share_json(d) for d in result.applied],
        "funding": {
            "platform": result.funding_platform,
            "merchants": dict(result.funding_merchants),
        },
        "gifts": [{"sku": g.sku, "qty": g.qty, "by": g.by} for g in result.gifts],
        "hints": [{"id": h.id, "add": h.add, "extra_off": h.extra_off} for h in result.hints],
        "warnings": list(result.warnings),
    }
    if explain:
        data["explain"] = [
            {"layer": n.layer, "rule": n.rule, "applied": n.applied, "reason": n.reason}
            for n in result.notes
        ]
    return data


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
