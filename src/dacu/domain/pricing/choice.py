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
from dacu.domain.pricing.ledger import Applied, base_of, take
from dacu.domain.pricing.offers import Offers, WalletReach
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.steps import apply_platform_thresholds, threshold_discount
from dacu.domain.pricing.sums import NestedStage
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem

_MAX_PACKET_SEARCH = 16
"""Above this many capped red packets the subset search keeps all of them."""


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


def platform_ceiling(cart: Cart, offers: Offers, amounts: Sequence[Fen]) -> Fen:
    """An upper bound on everything the platform layer can take off `amounts` or less."""
    ceiling = 0
    groups: dict[str, Fen] = {}
    for reach in offers.platform_thresholds:
        discount = threshold_discount(cart, amounts, reach)
        group = reach.rule.group
        if group is None:
            ceiling += discount
        else:
            groups[group] = max(groups.get(group, 0), discount)
    ceiling += sum(groups.values())
    ceiling += max(
        (c.item.discount(base_of(amounts, c.lines)) for c in offers.platform_coupons), default=0
    )
    ceiling += sum(p.item.discount(base_of(amounts, p.lines)) for p in offers.red_packets)
    return min(ceiling, sum(amounts))


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
    # Inner nodes use the ceiling on the amounts before any shop coupon (it bounds every
    # subtree); a leaf checks the ceiling on its own amounts before it is priced.
    ceiling = platform_ceiling(cart, offers, amounts)
    working = list(amounts)
    chosen: list[ShopOption] = []
    best: Choice | None = None

    def visit(k: int, total: Fen) -> None:
        nonlocal best
        if best is not None and total - best_after[k] - ceiling > best.payable:
            return
        if k < len(options):
            for option in options[k]:
                for i, share in option.applied.shares:
                    working[i] -= share
                chosen.append(option)
                visit(k + 1, total - option.discount)
                chosen.pop()
                for i, share in option.applied.shares:
                    working[i] += share
            visit(k + 1, total)
            return
        if best is not None and total - platform_ceiling(cart, offers, working) > best.payable:
            return
        leaf = _price_leaf(cart, offers, stage, tail, working, applied, chosen)
        if leaf.beats(best):
            best = leaf

    visit(0, sum(amounts))
    assert best is not None
    return best


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
