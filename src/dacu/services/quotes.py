"""Quoting a cart (报价): live campaigns' promotions and the customer's own coupons."""

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Protocol

from dacu.domain.campaigns import Campaign
from dacu.domain.cart import Cart, Customer
from dacu.domain.coupons import ClaimedCoupon, CouponTemplate
from dacu.domain.enrollment import Enrollment, Review
from dacu.domain.errors import InvalidRule
from dacu.domain.pricing import PriceResult, PromotionCatalog, price
from dacu.domain.promotions import Promotion
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem
from dacu.services.budget_lines import levels_for, rules_out
from dacu.services.budgets import BudgetCaps, bases_of, funders_of, needs_of, with_funders
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
    spent: AbstractSet[str] = frozenset(),
) -> PriceResult:
    """The best legal price of `cart` for `customer` now: the price checkout will lock.

    Approved enrollments put their SKUs at the campaign price while a phase is on;
    a members-only campaign prices nothing for a customer who is not a member; the
    platform-funded rules of the budgets `spent` names are left out, and the quote
    says which budget funds each platform share it took.
    """
    promotions: list[Promotion] = []
    funded: dict[str, str] = {}  # promotion id → the campaign whose budget funds it
    for campaign in campaigns.live():
        if not campaign.admits(customer.member_tier):
            continue
        mine = list(campaign.live_promotions(now))
        if enrollments is not None and campaign.phase_at(now) is not None:
            approved = enrollments.of_campaign(campaign.id, Review.APPROVED)
            mine[:0] = [enrolled.promotion() for enrolled in approved]
        if campaign.id in spent:
            mine = [p for p in mine if not p.platform_bp]
        funded.update((p.id, campaign.id) for p in mine if p.platform_bp)
        promotions += mine
    wallet = wallet_of(wallets, customer.id, now)
    if spent:
        wallet = [w for w in wallet if not (w.budget in spent and w.platform_bp)]
    result = price(cart, customer, promotions, wallet, now, explain=explain)
    by_coupon = {w.id: w.budget for w in wallet if w.budget and w.platform_bp}
    funders = {
        share.id: found
        for share in result.applied
        if share.platform and (found := funded.get(share.id) or by_coupon.get(share.id))
    }
    return with_funders(result, funders, set(spent)) if funders or spent else result


def check_purchase_limits(
    campaigns: Campaigns, enrollments: Enrollments, cart: Cart, customer: Customer
) -> dict[str, int]:
    """每人限购: no line of a campaign's enrolled SKU beyond the campaign's per-user limit;
    returns the limit of each SKU of the cart that has one."""
    limits: dict[str, int] = {}
    for campaign in campaigns.live():
        enrolled = {e.sku for e in enrollments.of_campaign(campaign.id, Review.APPROVED)}
        _check_limit(campaign, enrolled, cart, customer, limits)
    return limits


def _check_limit(
    campaign: Campaign,
    enrolled: AbstractSet[str],
    cart: Cart,
    customer: Customer,
    limits: dict[str, int],
) -> None:
    limit = campaign.participation.limit_per_user
    if limit is None:
        return
    for i, line in enumerate(cart.lines):
        if line.sku not in enrolled:
            continue
        if campaign.over_limit(customer.bought.get(line.sku, 0), line.qty):
            raise InvalidRule(
                f"cart.items[{i}].qty", f"{campaign.id} allows {limit} of {line.sku} a customer"
            )
        limits[line.sku] = min(limit, limits.get(line.sku, limit))


class QuoteService:
    """`Pricing` over the process's compiled catalog of live campaigns and the wallets.

    Per quote: one read of the customer's held coupons, with the live campaigns'
    revisions when those it holds are 0.1 s old (more only when a campaign moved);
    the rest is the engine's. With `caps`, a platform share a spent budget cannot
    fund is left out and the cart priced again (`services/budgets.py`).
    """

    def __init__(
        self, catalog: CatalogCache, wallets: QuoteReads, caps: BudgetCaps | None = None
    ) -> None:
        self._catalog = catalog
        self._wallets = wallets
        self._caps = caps
        self._without: dict[
            tuple[PromotionCatalog, frozenset[str], frozenset[str]], PromotionCatalog
        ] = {}

    def quote(
        self,
        cart: Cart,
        customer: Customer,
        now: datetime,
        *,
        explain: bool = False,
        spent: AbstractSet[str] = frozenset(),
    ) -> PriceResult:
        revisions, wallet = self._wallets.read(customer.id, now)
        catalog = self._catalog.catalog(customer.member_tier, now, revisions)
        over = self._catalog.over(now)  # live, but past their last phase: their coupons stop
        if over:
            wallet = [w for w in wallet if w.budget not in over]
        result = price(cart, customer, catalog, wallet, now, explain=explain)
        if self._caps is None:
            return result
        funders = funders_of(result, catalog, wallet)
        if not funders:
            return result
        campaigns = [held.campaign for held in self._catalog.recent(now)]
        bases = bases_of(campaigns)
        levels = levels_for(funders, campaigns, wallet)
        left_out: set[str] = set()
        rules: set[str] = set()  # left out for a spent line below their campaign
        short = self._caps.short(needs_of(result, funders, levels), bases, spent)
        while short:
            left_out |= short
            rules |= rules_out(levels, left_out)
            catalog = self._catalog_without(catalog, frozenset(left_out), frozenset(rules))
            wallet = [
                w for w in wallet if not (w.platform_bp and (w.budget in left_out or w.id in rules))
            ]
            result = price(cart, customer, catalog, wallet, now, explain=explain)
            funders = funders_of(result, catalog, wallet)
            levels = levels_for(funders, campaigns, wallet)
            short = self._caps.short(needs_of(result, funders, levels), bases, spent) - left_out
        return with_funders(result, funders, left_out, levels)

    def bases(self, now: datetime) -> dict[str, Fen]:
        """The capped live campaigns' bases (checked by the quote a moment before)."""
        return bases_of([held.campaign for held in self._catalog.recent(now)])

    def moved(self, budgets: Mapping[str, Fen]) -> None:
        if budgets and self._caps is not None:
            self._caps.forget()

    def _catalog_without(
        self, catalog: PromotionCatalog, spent: frozenset[str], rules: frozenset[str]
    ) -> PromotionCatalog:
        key = (catalog, spent, rules)  # the catalog kept by the key: its id is never reused
        found = self._without.get(key)
        if found is None:
            if len(self._without) >= 16:
                self._without.clear()
            found = self._without[key] = catalog.without(spent, rules)
        return found

    def check_purchase_limits(
        self, cart: Cart, customer: Customer, now: datetime
    ) -> dict[str, int]:
        """每人限购: no line of a campaign's enrolled SKU beyond the campaign's per-user limit;
        returns the limit of each SKU of the cart that has one."""
        limits: dict[str, int] = {}
        for held in self._catalog.recent(now):  # checked by the quote a moment before
            _check_limit(held.campaign, held.enrolled_skus, cart, customer, limits)
        return limits
