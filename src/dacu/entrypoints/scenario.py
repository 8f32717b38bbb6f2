"""The scenario file (`dacu price` input) and the result format: a public contract.

Pydantic checks the shape at the edge; the domain checks the business rules
(tiers that increase, an off below its threshold …). Either way the error
names the field, e.g. `promotions[0].tiers[1].threshold`.
"""

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dacu.domain import benefits as b
from dacu.domain.cart import Cart, CartLine, CartMode, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import PriceResult
from dacu.domain.promotions import Promotion
from dacu.domain.wallet import WalletItem
from dacu.schemas.promotions import In, PromotionIn, WalletItemIn, aware


class CustomerIn(In):
    id: str
    first_order: bool = False
    phone_verified: bool = False
    member_tier: str | None = None
    bought: dict[str, int] = Field(default_factory=dict)


class CartItemIn(In):
    sku: str
    shop: str
    price: int
    qty: int
    category: str | None = None


class CartIn(In):
    mode: Literal["normal", "group"] = "normal"
    items: list[CartItemIn]

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
    name: str = ""
    now: datetime
    customer: CustomerIn
    cart: CartIn
    promotions: list[PromotionIn] = Field(default_factory=list)
    wallet: list[WalletItemIn] = Field(default_factory=list)
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


_TAGS = {"coupon", "red_packet", *b.Kind}


def _field(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in _TAGS:
            text += f".{part}" if text else part
    return text


def load_scenario(text: str) -> Scenario:
    """Parse and check a scenario; raises `BadScenario` naming the first bad field."""
    try:
        raw = ScenarioIn.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        raise BadScenario(f"{_field(first['loc']) or 'scenario'}: {first['msg']}") from None
    return _to_domain(raw)


def _to_domain(raw: ScenarioIn) -> Scenario:
    where = "scenario"
    try:
        where = "customer"
        customer = Customer(
            id=raw.customer.id,
            first_order=raw.customer.first_order,
            phone_verified=raw.customer.phone_verified,
            member_tier=raw.customer.member_tier,
            bought=dict(raw.customer.bought),
        )
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
        now=aware(raw.now),
        customer=customer,
        cart=cart,
        promotions=tuple(promotions),
        wallet=tuple(wallet),
    )


def result_to_json(result: PriceResult) -> dict[str, Any]:
    """The result format of the pricing spec."""
    return {
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
                "discounts": [_discount(d) for d in line.discounts],
            }
            for line in result.lines
        ],
        "applied": [_discount(d) for d in result.applied],
        "funding": {
            "platform": result.funding_platform,
            "merchants": dict(result.funding_merchants),
        },
        "gifts": [{"sku": g.sku, "qty": g.qty, "by": g.by} for g in result.gifts],
        "hints": [{"id": h.id, "add": h.add, "extra_off": h.extra_off} for h in result.hints],
        "warnings": list(result.warnings),
    }


def _discount(d: Any) -> dict[str, Any]:
    return {"id": d.id, "amount": d.amount, "platform": d.platform, "merchant": d.merchant}


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
