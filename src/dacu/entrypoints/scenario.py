"""The scenario file (`dacu price` input) and the result format: a public contract.

Pydantic checks the shape at the edge; the domain checks the business rules
(tiers that increase, an off below its threshold …). Either way the error
names the field, e.g. `promotions[0].tiers[1].threshold`.
"""

import json
from datetime import datetime
from typing import Annotated, Any, Literal, overload
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dacu.domain import benefits as b
from dacu.domain.cart import Cart, CartLine, CartMode, Customer
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import PriceResult
from dacu.domain.promotions import Promotion
from dacu.domain.rules import EVERYTHING, Level, Scope, Window
from dacu.domain.wallet import WalletItem, WalletKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
LevelName = Literal["item", "shop", "platform"]


class _In(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class ScopeIn(_In):
    skus: list[str] | None = None
    categories: list[str] | None = None
    shops: list[str] | None = None

    def to_domain(self) -> Scope:
        def part(values: list[str] | None) -> frozenset[str] | None:
            return None if values is None else frozenset(values)

        return Scope(part(self.skus), part(self.categories), part(self.shops))


class FundingIn(_In):
    platform_bp: int


class _PromotionIn(_In):
    id: str
    level: LevelName
    shop: str | None = None
    scope: ScopeIn | None = None
    group: str | None = None
    exclusive: bool = False
    funding: FundingIn | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def benefit(self) -> b.Benefit:
        raise NotImplementedError

    def to_domain(self) -> Promotion:
        return Promotion(
            id=self.id,
            level=Level(self.level),
            benefit=self.benefit(),
            scope=self.scope.to_domain() if self.scope else EVERYTHING,
            shop=self.shop,
            group=self.group,
            exclusive=self.exclusive,
            funding_bp=self.funding.platform_bp if self.funding else None,
            window=Window(aware(self.starts_at), aware(self.ends_at)),
        )


class FlashPriceIn(_PromotionIn):
    kind: Literal["flash_price"]
    price: int
    limit_per_user: int | None = None

    def benefit(self) -> b.Benefit:
        return b.FlashPrice(self.price, self.limit_per_user)


class PercentOffIn(_PromotionIn):
    kind: Literal["percent_off"]
    discount_bp: int

    def benefit(self) -> b.Benefit:
        return b.PercentOff(self.discount_bp)


class DirectOffIn(_PromotionIn):
    kind: Literal["direct_off"]
    off: int

    def benefit(self) -> b.Benefit:
        return b.DirectOff(self.off)


class MemberPriceIn(_PromotionIn):
    kind: Literal["member_price"]
    tiers: dict[str, int]

    def benefit(self) -> b.Benefit:
        return b.MemberPrice(dict(self.tiers))


class GroupPriceIn(_PromotionIn):
    kind: Literal["group_price"]
    price: int

    def benefit(self) -> b.Benefit:
        return b.GroupPrice(self.price)


class BundleIn(_PromotionIn):
    kind: Literal["bundle"]
    skus: list[str]
    price: int

    def benefit(self) -> b.Benefit:
        return b.Bundle(tuple(self.skus), self.price)


class OffTierIn(_In):
    threshold: int
    off: int


class ThresholdOffIn(_PromotionIn):
    kind: Literal["threshold_off"]
    tiers: list[OffTierIn]
    repeat: bool = False
    cap: int | None = None

    def benefit(self) -> b.Benefit:
        tiers = tuple(b.OffTier(t.threshold, t.off) for t in self.tiers)
        return b.ThresholdOff(tiers, self.repeat, self.cap)


class RateTierIn(_In):
    discount_bp: int
    threshold: int | None = None
    min_qty: int | None = None


class ThresholdDiscountIn(_PromotionIn):
    kind: Literal["threshold_discount"]
    tiers: list[RateTierIn]
    cap: int | None = None

    def benefit(self) -> b.Benefit:
        by_qty = bool(self.tiers) and self.tiers[0].min_qty is not None
        for i, tier in enumerate(self.tiers):
            if (tier.min_qty is not None) != by_qty or (tier.threshold is not None) == by_qty:
                raise InvalidRule(
                    f"tiers[{i}]", "give threshold or min_qty, the same one in every tier"
                )
        tiers = tuple(
            b.RateTier(t.discount_bp, threshold=t.threshold or 0, min_qty=t.min_qty or 0)
            for t in self.tiers
        )
        return b.ThresholdDiscount(tiers, by_qty, self.cap)


class FirstOrderOffIn(_PromotionIn):
    kind: Literal["first_order_off"]
    threshold: int
    off: int

    def benefit(self) -> b.Benefit:
        return b.FirstOrderOff(self.threshold, self.off)


class GiftSkuIn(_In):
    sku: str
    qty: int = 1


class GiftIn(_PromotionIn):
    kind: Literal["gift"]
    threshold: int
    gift: GiftSkuIn

    def benefit(self) -> b.Benefit:
        return b.Gift(self.threshold, self.gift.sku, self.gift.qty)


PromotionIn = Annotated[
    FlashPriceIn
    | PercentOffIn
    | DirectOffIn
    | MemberPriceIn
    | GroupPriceIn
    | BundleIn
    | ThresholdOffIn
    | ThresholdDiscountIn
    | FirstOrderOffIn
    | GiftIn,
    Field(discriminator="kind"),
]


class WalletItemIn(_In):
    id: str
    kind: Literal["coupon", "red_packet"]
    level: LevelName
    threshold: int
    expires_at: datetime
    off: int | None = None
    discount_bp: int | None = None
    max_off: int | None = None
    shop: str | None = None
    scope: ScopeIn | None = None
    not_first_order: bool = False
    funding: FundingIn | None = None

    def to_domain(self) -> WalletItem:
        return WalletItem(
            id=self.id,
            kind=WalletKind(self.kind),
            level=Level(self.level),
            threshold=self.threshold,
            expires_at=aware(self.expires_at),
            off=self.off,
            discount_bp=self.discount_bp,
            max_off=self.max_off,
            shop=self.shop,
            scope=self.scope.to_domain() if self.scope else EVERYTHING,
            not_first_order=self.not_first_order,
            funding_bp=self.funding.platform_bp if self.funding else None,
        )


class CustomerIn(_In):
    id: str
    first_order: bool = False
    phone_verified: bool = False
    member_tier: str | None = None
    bought: dict[str, int] = Field(default_factory=dict)


class CartItemIn(_In):
    sku: str
    shop: str
    price: int
    qty: int
    category: str | None = None


class CartIn(_In):
    mode: Literal["normal", "group"] = "normal"
    items: list[CartItemIn]


class ScenarioIn(_In):
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


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """Times without an offset are Asia/Shanghai times."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=SHANGHAI)


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
        lines = []
        for i, item in enumerate(raw.cart.items):
            where = f"cart.items[{i}]"
            lines.append(CartLine(item.sku, item.shop, item.price, item.qty, item.category))
        where = "cart"
        cart = Cart(tuple(lines), CartMode(raw.cart.mode))
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
