"""The rules that can reach this cart, sorted by the layer that prices them."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from dacu.domain.benefits import ITEM_KINDS, Bundle, FirstOrderOff, Gift, GroupPrice, MemberPrice
from dacu.domain.cart import Cart, Customer
from dacu.domain.pricing.trace import Trace
from dacu.domain.promotions import Promotion
from dacu.domain.rules import EVERYTHING, Level
from dacu.domain.wallet import WalletItem, WalletKind


class Reach(NamedTuple):
    """A promotion as met in this cart: the lines it reaches."""

    rule: Promotion
    lines: tuple[int, ...]
    qty: int  # units on those lines, for 满n件 tiers


class WalletReach(NamedTuple):
    item: WalletItem
    lines: tuple[int, ...]
    rank: int  # position in the wallet, for a stable order among equal expiries


@dataclass(frozen=True, slots=True)
class Offers:
    item: tuple[tuple[Promotion, ...], ...]  # per line, in list order
    bundles: dict[str, tuple[Reach, ...]]  # per shop; lines in the bundle's SKU order
    shop_thresholds: dict[str, tuple[Reach, ...]]
    platform_thresholds: tuple[Reach, ...]
    gifts: tuple[Reach, ...]
    exclusives: tuple[Promotion, ...]
    shop_coupons: dict[str, tuple[WalletReach, ...]]
    platform_coupons: tuple[WalletReach, ...]
    red_packets: tuple[WalletReach, ...]  # soonest expiry first


class _Lines:
    """The cart's lines by shop and by SKU, to find what a rule reaches without a scan."""

    def __init__(self, cart: Cart) -> None:
        self._cart = cart
        self.every = tuple(range(len(cart.lines)))
        by_shop: dict[str, list[int]] = {}
        for i, line in enumerate(cart.lines):
            by_shop.setdefault(line.shop, []).append(i)
        self._by_shop = {shop: tuple(found) for shop, found in by_shop.items()}
        self._by_sku = {line.sku: i for i, line in enumerate(cart.lines)}

    def reached_by(self, rule: Promotion | WalletItem) -> tuple[int, ...]:
        scope = rule.scope
        if scope == EVERYTHING:  # the common case: everything, or a whole shop
            return self.every if rule.shop is None else self._by_shop.get(rule.shop, ())
        lines = self._cart.lines
        if scope.skus is not None:
            found = sorted(self._by_sku[sku] for sku in scope.skus if sku in self._by_sku)
            return tuple(i for i in found if rule.covers(lines[i]))
        return tuple(i for i in self.every if rule.covers(lines[i]))


def _bundle_lines(cart: Cart, promotion: Promotion, bundle: Bundle) -> tuple[int, ...]:
    where = {line.sku: i for i, line in enumerate(cart.lines) if promotion.covers(line)}
    if not all(sku in where for sku in bundle.skus):
        return ()
    return tuple(where[sku] for sku in bundle.skus)


def gather(
    cart: Cart,
    customer: Customer,
    promotions: Iterable[Promotion],
    wallet: Sequence[WalletItem],
    now: datetime,
    *,
    with_exclusive: bool = False,
    trace: Trace | None = None,
) -> Offers:
    """Everything live that reaches a line of the cart and suits this customer.

    Exclusive promotions are set aside for their own pricing unless
    `with_exclusive` asks to price them like any other (alone, on list prices).
    When explaining, the rules set aside for their window or customer are noted.
    """
    explaining = trace is not None and trace.explaining
    reach_of = _Lines(cart).reached_by
    item: list[list[Promotion]] = [[] for _ in cart.lines]
    bundles: dict[str, list[Reach]] = {}
    shop_thresholds: dict[str, list[Reach]] = {}
    platform_thresholds: list[Reach] = []
    gifts: list[Reach] = []
    exclusives: list[Promotion] = []
    for promotion in promotions:
        if not promotion.live_at(now):
            if explaining:
                _skip(trace, promotion.level.value, promotion.id, "outside its time window")
            continue
        if not promotion.benefit.applies_to(customer, cart.mode):
            if explaining:
                _skip(trace, promotion.level.value, promotion.id, _unsuited(promotion))
            continue
        if promotion.is_exclusive and not with_exclusive:
            exclusives.append(promotion)
            continue
        benefit = promotion.benefit
        if isinstance(benefit, Bundle):
            lines = _bundle_lines(cart, promotion, benefit)
        else:
            lines = reach_of(promotion)
        if not lines:
            continue
        reach = Reach(promotion, lines, sum(cart.lines[i].qty for i in lines))
        if promotion.kind in ITEM_KINDS:
            for i in lines:
                item[i].append(promotion)
        elif isinstance(benefit, Bundle):
            bundles.setdefault(promotion.shop or "", []).append(reach)
        elif isinstance(benefit, Gift):
            gifts.append(reach)
        elif promotion.level is Level.SHOP:
            shop_thresholds.setdefault(promotion.shop or "", []).append(reach)
        else:
            platform_thresholds.append(reach)
    shop_coupons: dict[str, list[WalletReach]] = {}
    platform_coupons: list[WalletReach] = []
    red_packets: list[WalletReach] = []
    for rank, held in enumerate(wallet):
        if not held.usable(now, customer):
            if explaining:
                expired = now > held.expires_at
                _skip(trace, "wallet", held.id, "expired" if expired else "not on a first order")
            continue
        lines = reach_of(held)
        if not lines:
            continue
        held_reach = WalletReach(held, lines, rank)
        if held.kind is WalletKind.RED_PACKET:
            red_packets.append(held_reach)
        elif held.level is Level.SHOP:
            shop_coupons.setdefault(held.shop or "", []).append(held_reach)
        else:
            platform_coupons.append(held_reach)
    red_packets.sort(key=lambda r: (r.item.expires_at, r.rank))
    return Offers(
        item=tuple(tuple(per_line) for per_line in item),
        bundles={shop: tuple(found) for shop, found in bundles.items()},
        shop_thresholds={shop: tuple(found) for shop, found in shop_thresholds.items()},
        platform_thresholds=tuple(platform_thresholds),
        gifts=tuple(gifts),
        exclusives=tuple(exclusives),
        shop_coupons={shop: tuple(found) for shop, found in shop_coupons.items()},
        platform_coupons=tuple(platform_coupons),
        red_packets=tuple(red_packets),
    )


def _skip(trace: Trace | None, layer: str, rule: str, reason: str) -> None:
    if trace is not None:
        trace.note(layer, rule, False, reason)


def _unsuited(promotion: Promotion) -> str:
    benefit = promotion.benefit
    if isinstance(benefit, MemberPrice):
        return "for member tiers " + ", ".join(sorted(benefit.tiers))
    if isinstance(benefit, GroupPrice):
        return "for group-buy (拼团) carts only"
    if isinstance(benefit, FirstOrderOff):
        return "for a phone-verified customer's first order only"
    return "not for this customer"
