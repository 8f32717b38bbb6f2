"""Pydantic models of promotions and wallet items as clients write them.

The scenario file, campaign files and the HTTP API share these shapes: the
scenario format's promotion and wallet schemas are a public contract. Each
model checks the shape and hands the business rules to the domain.
"""

from datetime import datetime
from typing import Annotated, Literal, overload
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from dacu.domain import benefits as b
from dacu.domain.errors import InvalidRule
from dacu.domain.promotions import Promotion
from dacu.domain.rules import EVERYTHING, Level, Scope, Window
from dacu.domain.wallet import WalletItem, WalletKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
LevelName = Literal["item", "shop", "platform"]


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """Times without an offset are Asia/Shanghai times."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=SHANGHAI)


class In(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class ScopeIn(In):
    skus: list[str] | None = None
    categories: list[str] | None = None
    shops: list[str] | None = None

    def to_domain(self) -> Scope:
        def part(values: list[str] | None) -> frozenset[str] | None:
            return None if values is None else frozenset(values)

        return Scope(part(self.skus), part(self.categories), part(self.shops))


class FundingIn(In):
    platform_bp: int


class _PromotionIn(In):
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


class OffTierIn(In):
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


class RateTierIn(In):
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


class GiftSkuIn(In):
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


class WalletItemIn(In):
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
