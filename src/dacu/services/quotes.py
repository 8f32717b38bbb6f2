"""Quoting a cart (报价): live campaigns' promotions and the customer's own coupons."""

from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.cart import Cart, Customer
from dacu.domain.coupons import ClaimedCoupon, CouponTemplate
from dacu.domain.pricing import PriceResult, price
from dacu.domain.wallet import WalletItem


class Campaigns(Protocol):
    def live(self) -> list[Campaign]: ...


class Wallets(Protocol):
    def wallet(self, customer_id: str) -> list[ClaimedCoupon]: ...

    def template(self, template_id: str) -> CouponTemplate: ...


def wallet_of(wallets: Wallets, customer_id: str, now: datetime) -> list[WalletItem]:
    """The coupons a customer holds and may still use, as pricing sees them."""
    templates: dict[str, CouponTemplate] = {}
    held = []
    for coupon in wallets.wallet(customer_id):
        if coupon.status != "held" or coupon.expires_at < now:
            continue
        if coupon.template_id not in templates:
            templates[coupon.template_id] = wallets.template(coupon.template_id)
        held.append(templates[coupon.template_id].wallet_item(coupon.id, coupon.expires_at))
    return held


def quote(
    campaigns: Campaigns,
    wallets: Wallets,
    cart: Cart,
    customer: Customer,
    now: datetime,
    *,
    explain: bool = False,
) -> PriceResult:
    """The best legal price of `cart` for `customer` now: the price checkout will lock."""
    promotions = [p for campaign in campaigns.live() for p in campaign.live_promotions(now)]
    return price(
        cart, customer, promotions, wallet_of(wallets, customer.id, now), now, explain=explain
    )
