"""Optimal wallet choice: the coupons and red packets that make `payable` lowest.

Legal choices are at most one coupon a shop, one platform coupon and any red
packets. The choice is global — a smaller shop coupon can leave the running
amount high enough to unlock a platform coupon — so shop coupons are searched
depth-first with a bound: the payable so far, minus the largest shop coupons
still available, minus a ceiling on what the platform layer could still take
off (every platform discount is monotone in its base, so its value on the
amounts before the remaining shop coupons bounds it). Shop coupons with the
same effect are searched once. Each leaf prices the platform stage from sums
where scopes nest (see `sums.py`) and line by line where they do not.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from dacu.domain.cart import Cart
from dacu.domain.money import apportion
from dacu.domain.pricing.bounds import PlatformBound
from dacu.domain.pricing.ledger import Applied, base_of, take
from dacu.domain.pricing.offers import Offers, WalletReach
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.stability import profile, settled
from dacu.domain.pricing.steps import apply_platform_thresholds
from dacu.domain.pricing.sums import NestedStage
from dacu.domain.regime import UNBOUNDED
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem

_MAX_PACKET_SEARCH = 16
"""Above this many capped red packets the subset search keeps all of them."""

_SHORTCUT_FROM = 2
"""Open shops from which a subtree is first tested for the shortcut (stability.py)."""


@dataclass(frozen=True, slots=True)
class ShopOption:
    reach: WalletReach
    discount: Fen
    applied: Applied


def shop_options(coupons: Sequence[WalletReach], amounts: Sequence[Fen]) -> list[ShopOption]:
    """Usable coupons of one shop, largest first, one per distinct effect."""
    found: list[ShopOption] = []
    for reach in coupons:
        weights = [amounts[i] for i in reach.lines]
        discount = reach.item.discount(sum(weights))
        if discount <= 0:
            continue
        shares = apportion(discount, weights)
        applied = Applied(
            reach.item.id,
            tuple((i, s) for i, s in zip(reach.lines, shares, strict=True) if s),
            reach.item.platform_bp,
        )
        found.append(ShopOption(reach, discount, applied))
    found.sort(key=lambda o: (-o.discount, o.reach.item.expires_at, o.reach.item.id))
    effects: set[tuple[tuple[int, Fen], ...]] = set()
    distinct: list[ShopOption] = []
    for option in found:
        if option.applied.shares not in effects:
            effects.add(option.applied.shares)
            distinct.append(option)
    return distinct


def choose(
    cart: Cart, offers: Offers, amounts: Sequence[Fen], applied: Sequence[Applied]
) -> Choice:
    """The best legal wallet choice on `amounts` (after the shop threshold step)."""
    options = [
        found
        for shop in cart.shops
        if (found := shop_options(offers.shop_coupons.get(shop, ()), amounts))
    ]
    best_after = [0] * (len(options) + 1)
    for k in range(len(options) - 1, -1, -1):
        best_after[k] = best_after[k + 1] + options[k][0].discount
    stage = NestedStage(cart, offers)
    tail = stage if stage.nested else NestedStage(cart, offers, with_thresholds=False)
    bound = PlatformBound(offers)
    # `floor` holds each line at its lowest after any coupon of the shops still open.
    floor = list(amounts)
    for found in options:
        for i, share in _largest_shares(found).items():
            floor[i] -= share
    working = list(amounts)
    chosen: list[ShopOption] = []
    best: Choice | None = None

    def visit(k: int, total: Fen) -> None:
        nonlocal best
        if best is not None:
            ceiling = bound.ceiling(floor, working)
            if total - best_after[k] - ceiling > best.payable:
                return
        if len(options) - k >= _SHORTCUT_FROM and _settles(cart, offers, working, options[k:]):
            leaf = _greedy_leaf(cart, offers, stage, tail, working, applied, chosen, options[k:])
            if leaf.beats(best):
                best = leaf
            return
        if k == len(options):
            leaf = _price_leaf(cart, offers, stage, tail, working, applied, chosen)
            if leaf.beats(best):
                best = leaf
            return
        largest = _largest_shares(options[k])
        for i, share in largest.items():
            floor[i] += share
        for option in options[k]:
            _shift(working, floor, option, -1)
            chosen.append(option)
            visit(k + 1, total - option.discount)
            chosen.pop()
            _shift(working, floor, option, +1)
        visit(k + 1, total)
        for i, share in largest.items():
            floor[i] -= share

    visit(0, sum(amounts))
    assert best is not None
    return best


def _largest_shares(found: Sequence[ShopOption]) -> dict[int, Fen]:
    """Per line, the most any of one shop's coupons takes off it."""
    largest: dict[int, Fen] = {}
    for option in found:
        for i, share in option.applied.shares:
            largest[i] = max(largest.get(i, 0), share)
    return largest


def _shift(working: list[Fen], floor: list[Fen], option: ShopOption, sign: int) -> None:
    for i, share in option.applied.shares:
        working[i] += sign * share
        floor[i] += sign * share


def _settles(
    cart: Cart, offers: Offers, working: Sequence[Fen], open_shops: Sequence[list[ShopOption]]
) -> bool:
    """Whether taking every open shop's largest coupon is the best of this subtree."""
    gap = UNBOUNDED
    for found in open_shops:
        largest = found[0]
        if len(found) > 1 and found[1].discount == largest.discount:
            return False  # equal coupons with different effects: price both
        if not all(_within(option, largest) for option in found[1:]):
            return False
        gap = min(gap, largest.discount - (found[1].discount if len(found) > 1 else 0))
    low = list(working)
    for found in open_shops:
        for i, share in found[0].applied.shares:
            low[i] -= share
    return settled(profile(cart, offers, low), profile(cart, offers, working), gap, len(working))


def _within(option: ShopOption, largest: ShopOption) -> bool:
    """No line gives more to `option` than one fen over what it gives to `largest`."""
    most = dict(largest.applied.shares)
    return all(share <= most.get(i, 0) + 1 for i, share in option.applied.shares)


def _greedy_leaf(
    cart: Cart,
    offers: Offers,
    stage: NestedStage,
    tail: NestedStage,
    working: list[Fen],
    applied: Sequence[Applied],
    chosen: list[ShopOption],
    open_shops: Sequence[list[ShopOption]],
) -> Choice:
    largest = [found[0] for found in open_shops]
    for option in largest:
        for i, share in option.applied.shares:
            working[i] -= share
    leaf = _price_leaf(cart, offers, stage, tail, working, applied, [*chosen, *largest])
    for option in largest:
        for i, share in option.applied.shares:
            working[i] += share
    return leaf


def _price_leaf(
    cart: Cart,
    offers: Offers,
    stage: NestedStage,
    tail: NestedStage,
    working: Sequence[Fen],
    applied: Sequence[Applied],
    chosen: Sequence[ShopOption],
) -> Choice:
    shop_items = [o.reach.item for o in chosen]
    if stage.nested:
        return stage.best(working, shop_items)
    if tail.nested:
        after = list(working)
        apply_platform_thresholds(cart, offers.platform_thresholds, after, None)
        return tail.best(after, shop_items)
    shop_applied = [*applied, *(o.applied for o in chosen)]
    return _platform_by_lines(cart, offers, working, shop_applied, shop_items)


def _platform_by_lines(
    cart: Cart,
    offers: Offers,
    amounts: Sequence[Fen],
    applied: list[Applied],
    used: list[WalletItem],
) -> Choice:
    after_thresholds = list(amounts)
    applied = applied + apply_platform_thresholds(
        cart, offers.platform_thresholds, after_thresholds, None
    )
    best = _best_packets(offers.red_packets, after_thresholds, used)
    for coupon in offers.platform_coupons:
        discount = coupon.item.discount(base_of(after_thresholds, coupon.lines))
        if discount <= 0:
            continue
        working = list(after_thresholds)
        take(working, coupon.lines, discount, coupon.item.id, coupon.item.platform_bp)
        found = _best_packets(offers.red_packets, working, [*used, coupon.item])
        if found.beats(best):
            best = found
    return best


def _best_packets(
    packets: Sequence[WalletReach], amounts: Sequence[Fen], used: Sequence[WalletItem]
) -> Choice:
    """The best subset of red packets; all of them unless one hits the floor of 0."""
    before = {p.item.id: base_of(amounts, p.lines) for p in packets}
    usable = [p for p in packets if p.item.discount(before[p.item.id]) > 0]
    working = list(amounts)
    applied, capped = apply_packets(usable, before, working)
    best = Choice.of(sum(working), [*used, *(p.item for p in usable if p.item.id in applied)])
    if not capped or len(usable) > _MAX_PACKET_SEARCH:
        return best
    for size in range(len(usable)):
        for subset in combinations(usable, size):
            working = list(amounts)
            applied, _ = apply_packets(subset, before, working)
            found = Choice.of(
                sum(working), [*used, *(p.item for p in subset if p.item.id in applied)]
            )
            if found.beats(best):
                best = found
    return best


def apply_packets(
    packets: Sequence[WalletReach], before: dict[str, Fen], amounts: list[Fen]
) -> tuple[dict[str, Applied], bool]:
    """Red packets soonest expiry first, each tested on the payable before any of them.

    Takes them off `amounts`; returns what each took and whether one gave less
    than its face value because its lines had reached 0.
    """
    applied: dict[str, Applied] = {}
    capped = False
    for packet in packets:
        item = packet.item
        face = item.discount(before[item.id])
        discount = min(face, base_of(amounts, packet.lines))
        capped = capped or discount < face
        if discount > 0:
            applied[item.id] = take(amounts, packet.lines, discount, item.id, item.platform_bp)
    return applied, capped
