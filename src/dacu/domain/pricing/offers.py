"""The rules that can reach this cart, sorted by the layer that prices them."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
    noting = trace if trace is not None and trace.explaining else None
    lines = _Lines(cart)
    rules = _RulesByLayer(cart, lines)
    for promotion in promotions:
        if _set_aside(promotion, cart, customer, now, noting):
            continue
        if promotion.is_exclusive and not with_exclusive:
            rules.exclusives.append(promotion)
        else:
            rules.add(promotion)
    held = _WalletByLayer()
    for rank, item in enumerate(wallet):
        if not item.usable(now, customer):
            if noting is not None:
                expired = now > item.expires_at
                _skip(noting, "wallet", item.id, "expired" if expired else "not on a first order")
            continue
        reached = lines.reached_by(item)
        if reached:
            held.add(WalletReach(item, reached, rank))
    held.red_packets.sort(key=lambda r: (r.item.expires_at, r.rank))
    return Offers(
        item=tuple(tuple(per_line) for per_line in rules.item),
        bundles={shop: tuple(found) for shop, found in rules.bundles.items()},
        shop_thresholds={shop: tuple(found) for shop, found in rules.shop_thresholds.items()},
        platform_thresholds=tuple(rules.platform_thresholds),
        gifts=tuple(rules.gifts),
        exclusives=tuple(rules.exclusives),
        shop_coupons={shop: tuple(found) for shop, found in held.shop_coupons.items()},
        platform_coupons=tuple(held.platform_coupons),
        red_packets=tuple(held.red_packets),
    )


def _set_aside(
    promotion: Promotion, cart: Cart, customer: Customer, now: datetime, noting: Trace | None
) -> bool:
    """Out of its window, or not for this customer (noted when explaining)."""
    if not promotion.live_at(now):
        reason = "outside its time window"
    elif not promotion.benefit.applies_to(customer, cart.mode):
        reason = _unsuited(promotion) if noting is not None else ""
    else:
        return False
    if noting is not None:
        _skip(noting, promotion.level.value, promotion.id, reason)
    return True


class _RulesByLayer:
    """Promotions reaching the cart, sorted into the layer and step that prices them."""

    def __init__(self, cart: Cart, lines: _Lines) -> None:
        self._cart, self._lines = cart, lines
        self.item: list[list[Promotion]] = [[] for _ in cart.lines]
        self.bundles: dict[str, list[Reach]] = {}
        self.shop_thresholds: dict[str, list[Reach]] = {}
        self.platform_thresholds: list[Reach] = []
        self.gifts: list[Reach] = []
        self.exclusives: list[Promotion] = []

    def add(self, promotion: Promotion) -> None:
        cart, benefit = self._cart, promotion.benefit
        if isinstance(benefit, Bundle):
            lines = _bundle_lines(cart, promotion, benefit)
        else:
            lines = self._lines.reached_by(promotion)
        if not lines:
            return
        reach = Reach(promotion, lines, sum(cart.lines[i].qty for i in lines))
        if promotion.kind in ITEM_KINDS:
            for i in lines:
                self.item[i].append(promotion)
        elif isinstance(benefit, Bundle):
            self.bundles.setdefault(promotion.shop or "", []).append(reach)
        elif isinstance(benefit, Gift):
            self.gifts.append(reach)
        elif promotion.level is Level.SHOP:
            self.shop_thresholds.setdefault(promotion.shop or "", []).append(reach)
        else:
            self.platform_thresholds.append(reach)


@dataclass
class _WalletByLayer:
    """The wallet's usable items reaching the cart: shop coupons, platform coupons, 红包."""

    shop_coupons: dict[str, list[WalletReach]] = field(default_factory=dict)
    platform_coupons: list[WalletReach] = field(default_factory=list)
    red_packets: list[WalletReach] = field(default_factory=list)

    def add(self, reach: WalletReach) -> None:
        held = reach.item
        if held.kind is WalletKind.RED_PACKET:
            self.red_packets.append(reach)
        elif held.level is Level.SHOP:
            self.shop_coupons.setdefault(held.shop or "", []).append(reach)
        else:
            self.platform_coupons.append(reach)


def _skip(trace: Trace, layer: str, rule: str, reason: str) -> None:
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
