"""Quoting a cart (报价): live campaigns' promotions and the customer's own coupons."""

from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.cart import Cart, Customer
from dacu.domain.coupons import ClaimedCoupon, CouponTemplate
from dacu.domain.enrollment import Enrollment, Review
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import PriceResult, price
from dacu.domain.promotions import Promotion
from dacu.domain.wallet import WalletItem
from dacu.services.catalog import CatalogCache
from dacu.services.ports.wallets import QuoteReads


class Campaigns(Protocol):
    def live(self) -> list[Campaign]: ...


class Enrollments(Protocol):
    def of_campaign(self, campaign_id: str, review: Review | None = None) -> list[Enrollment]: ...


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
    enrollments: Enrollments | None = None,
    explain: bool = False,
) -> PriceResult:
    """The best legal price of `cart` for `customer` now: the price checkout will lock.

    Approved enrollments put their SKUs at the campaign price while a phase is on;
    a members-only campaign prices nothing for a customer who is not a member.
    """
    promotions: list[Promotion] = []
    for campaign in campaigns.live():
        if not campaign.admits(customer.member_tier):
            continue
        if enrollments is not None and campaign.phase_at(now) is not None:
            approved = enrollments.of_campaign(campaign.id, Review.APPROVED)
            promotions += [enrolled.promotion() for enrolled in approved]
        promotions += campaign.live_promotions(now)
    wallet = wallet_of(wallets, customer.id, now)
    return price(cart, customer, promotions, wallet, now, explain=explain)


def check_purchase_limits(
    campaigns: Campaigns, enrollments: Enrollments, cart: Cart, customer: Customer
) -> None:
    """每人限购: no line of a campaign's enrolled SKU beyond the campaign's per-user limit."""
    for campaign in campaigns.live():
        enrolled = {e.sku for e in enrollments.of_campaign(campaign.id, Review.APPROVED)}
        _check_limit(campaign, enrolled, cart, customer)


def _check_limit(
    campaign: Campaign, enrolled: AbstractSet[str], cart: Cart, customer: Customer
) -> None:
    for i, line in enumerate(cart.lines):
        bought = customer.bought.get(line.sku, 0)
        if line.sku in enrolled and campaign.over_limit(bought, line.qty):
            limit = campaign.participation.limit_per_user
            raise InvalidRule(
                f"cart.items[{i}].qty", f"{campaign.id} allows {limit} of {line.sku} a customer"
            )


class QuoteService:
    """`Pricing` over the process's compiled catalog of live campaigns and the wallets.

    Per quote: one read of the customer's held coupons, with the live campaigns'
    revisions when those it holds are 0.1 s old (more only when a campaign moved);
    the rest is the engine's.
    """

    def __init__(self, catalog: CatalogCache, wallets: QuoteReads) -> None:
        self._catalog = catalog
        self._wallets = wallets

    def quote(
        self, cart: Cart, customer: Customer, now: datetime, *, explain: bool = False
    ) -> PriceResult:
        revisions, wallet = self._wallets.read(customer.id, now)
        catalog = self._catalog.catalog(customer.member_tier, now, revisions)
        return price(cart, customer, catalog, wallet, now, explain=explain)

    def check_purchase_limits(self, cart: Cart, customer: Customer, now: datetime) -> None:
        """每人限购: no line of a campaign's enrolled SKU beyond the campaign's per-user limit."""
        for held in self._catalog.recent(now):  # checked by the quote a moment before
            _check_limit(held.campaign, held.enrolled_skus, cart, customer)
