"""Pydantic models of promotions and wallet items as clients write them.

The scenario file, campaign files and the HTTP API share these shapes: the
scenario format's promotion and wallet schemas are a public contract. Each
model checks the shape and hands the business rules to the domain.
"""

from collections.abc import Collection, Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dacu.domain import benefits as b
from dacu.domain.errors import InvalidRule
from dacu.domain.promotions import Promotion
from dacu.domain.rules import EVERYTHING, Level, Scope, Window
from dacu.domain.wallet import WalletItem, WalletKind
from dacu.schemas.bounds import Bp, Fen, Id, Moment, Qty, aware

MAX_IDS = 10_000  # SKUs, categories or shops named in one scope

LevelName = Literal["item", "shop", "platform"]


UNION_TAGS = frozenset({"coupon", "red_packet", *b.Kind})
"""The tags pydantic puts in the path of an error inside a promotion or a wallet item."""


def field_path(loc: Sequence[int | str], tags: Collection[str] = UNION_TAGS) -> str:
    """`("cart", "items", 1, "price")` → `cart.items[1].price` (union `tags` left out)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in tags:
            text += f".{part}" if text else part
    return text


class In(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class ScopeIn(In):
    skus: list[Id] | None = Field(None, max_length=MAX_IDS)
    categories: list[Id] | None = Field(None, max_length=MAX_IDS)
    shops: list[Id] | None = Field(None, max_length=MAX_IDS)

    def to_domain(self) -> Scope:
        def part(values: list[str] | None) -> frozenset[str] | None:
            return None if values is None else frozenset(values)

        return Scope(part(self.skus), part(self.categories), part(self.shops))


class FundingIn(In):
    platform_bp: Bp


class _PromotionIn(In):
    id: Id
    level: LevelName
    shop: Id | None = None
    scope: ScopeIn | None = None
    group: Id | None = None
    exclusive: bool = False
    funding: FundingIn | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None

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
    price: Fen
    limit_per_user: Qty | None = None

    def benefit(self) -> b.Benefit:
        return b.FlashPrice(self.price, self.limit_per_user)


class PercentOffIn(_PromotionIn):
    kind: Literal["percent_off"]
    discount_bp: Bp

    def benefit(self) -> b.Benefit:
        return b.PercentOff(self.discount_bp)


class DirectOffIn(_PromotionIn):
    kind: Literal["direct_off"]
    off: Fen

    def benefit(self) -> b.Benefit:
        return b.DirectOff(self.off)


class MemberPriceIn(_PromotionIn):
    kind: Literal["member_price"]
    tiers: dict[Id, Fen] = Field(max_length=100)

    def benefit(self) -> b.Benefit:
        return b.MemberPrice(dict(self.tiers))


class GroupPriceIn(_PromotionIn):
    kind: Literal["group_price"]
    price: Fen

    def benefit(self) -> b.Benefit:
        return b.GroupPrice(self.price)


class BundleIn(_PromotionIn):
    kind: Literal["bundle"]
    skus: list[Id] = Field(max_length=100)
    price: Fen

    def benefit(self) -> b.Benefit:
        return b.Bundle(tuple(self.skus), self.price)


class OffTierIn(In):
    threshold: Fen
    off: Fen


class ThresholdOffIn(_PromotionIn):
    kind: Literal["threshold_off"]
    tiers: list[OffTierIn] = Field(max_length=100)
    repeat: bool = False
    cap: Fen | None = None

    def benefit(self) -> b.Benefit:
        tiers = tuple(b.OffTier(t.threshold, t.off) for t in self.tiers)
        return b.ThresholdOff(tiers, self.repeat, self.cap)


class RateTierIn(In):
    discount_bp: Bp
    threshold: Fen | None = None
    min_qty: Qty | None = None


class ThresholdDiscountIn(_PromotionIn):
    kind: Literal["threshold_discount"]
    tiers: list[RateTierIn] = Field(max_length=100)
    cap: Fen | None = None

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
    threshold: Fen
    off: Fen

    def benefit(self) -> b.Benefit:
        return b.FirstOrderOff(self.threshold, self.off)


class GiftSkuIn(In):
    sku: Id
    qty: Qty = 1


class GiftIn(_PromotionIn):
    kind: Literal["gift"]
    threshold: Fen
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


class WalletItemIn(In):
    id: Id
    kind: Literal["coupon", "red_packet"]
    level: LevelName
    threshold: Fen
    expires_at: Moment
    off: Fen | None = None
    discount_bp: Bp | None = None
    max_off: Fen | None = None
    shop: Id | None = None
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
