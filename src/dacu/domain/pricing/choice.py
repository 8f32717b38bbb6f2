"""Optimal wallet choice: the coupons and red packets that make `payable` lowest.

Legal choices are at most one coupon a shop, one platform coupon and any red
packets. The choice is global — a smaller shop coupon can leave the running
amount high enough to unlock a platform coupon — so shop coupons are searched
depth-first with a bound: the payable so far, minus the largest shop coupons
still available, minus a ceiling on what the platform layer could still take
off (every platform discount is monotone in its base, so its value on the
amounts before the remaining shop coupons bounds it). Shop coupons with the
same effect are searched once. Ties go to the set whose sorted expiry times
come first (a prefix wins: fewer coupons), then to ids.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from dacu.domain.cart import Cart
from dacu.domain.money import apportion
from dacu.domain.pricing.ledger import Applied, base_of, take
from dacu.domain.pricing.offers import Offers, WalletReach
from dacu.domain.pricing.steps import apply_platform_thresholds, threshold_discount
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem

_MAX_PACKET_SEARCH = 16
"""Above this many capped red packets the subset search keeps all of them."""


@dataclass(frozen=True, slots=True)
class Choice:
    """A legal set of wallet items and the pricing it comes to."""

    payable: Fen
    rank: tuple[tuple[datetime, ...], tuple[str, ...]]
    amounts: tuple[Fen, ...]
    applied: tuple[Applied, ...]
    used: tuple[WalletItem, ...]

    def beats(self, other: "Choice | None") -> bool:
        return other is None or (self.payable, self.rank) < (other.payable, other.rank)


def _choice(
    amounts: Sequence[Fen], applied: Sequence[Applied], used: Sequence[WalletItem]
) -> Choice:
    rank = (tuple(sorted(u.expires_at for u in used)), tuple(sorted(u.id for u in used)))
    return Choice(sum(amounts), rank, tuple(amounts), tuple(applied), tuple(used))


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
    working = list(amounts)
    chosen: list[ShopOption] = []
    best: Choice | None = None

    def visit(k: int) -> None:
        nonlocal best
        if best is not None:
            bound = sum(working) - best_after[k] - platform_ceiling(cart, offers, working)
            if bound > best.payable:
                return
        if k == len(options):
            leaf = _best_platform_choice(
                cart,
                offers,
                working,
                [*applied, *(o.applied for o in chosen)],
                [o.reach.item for o in chosen],
            )
            if leaf.beats(best):
                best = leaf
            return
        for option in options[k]:
            for i, share in option.applied.shares:
                working[i] -= share
            chosen.append(option)
            visit(k + 1)
            chosen.pop()
            for i, share in option.applied.shares:
                working[i] += share
        visit(k + 1)

    visit(0)
    assert best is not None
    return best


def _best_platform_choice(
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
    best = best_packets(offers.red_packets, after_thresholds, applied, used)
    for coupon in offers.platform_coupons:
        discount = coupon.item.discount(base_of(after_thresholds, coupon.lines))
        if discount <= 0:
            continue
        working = list(after_thresholds)
        taken = take(working, coupon.lines, discount, coupon.item.id, coupon.item.platform_bp)
        found = best_packets(offers.red_packets, working, [*applied, taken], [*used, coupon.item])
        if found.beats(best):
            best = found
    return best


def best_packets(
    packets: Sequence[WalletReach],
    amounts: Sequence[Fen],
    applied: Sequence[Applied],
    used: Sequence[WalletItem],
) -> Choice:
    """The best subset of red packets; all of them unless one hits the floor of 0."""
    before = {p.item.id: base_of(amounts, p.lines) for p in packets}
    usable = [p for p in packets if p.item.discount(before[p.item.id]) > 0]
    full, capped = apply_packets(usable, before, amounts, applied, used)
    if not capped or len(usable) > _MAX_PACKET_SEARCH:
        return full
    best = full
    for size in range(len(usable)):
        for subset in combinations(usable, size):
            found, _ = apply_packets(subset, before, amounts, applied, used)
            if found.beats(best):
                best = found
    return best


def apply_packets(
    packets: Sequence[WalletReach],
    before: dict[str, Fen],
    amounts: Sequence[Fen],
    applied: Sequence[Applied],
    used: Sequence[WalletItem],
) -> tuple[Choice, bool]:
    """Red packets soonest expiry first, each tested on the payable before any of them.

    Returns the choice and whether some packet gave less than its face value.
    """
    working = list(amounts)
    taken = list(applied)
    holding = list(used)
    capped = False
    for packet in packets:
        face = packet.item.discount(before[packet.item.id])
        discount = min(face, base_of(working, packet.lines))
        capped = capped or discount < face
        if discount > 0:
            item = packet.item
            taken.append(take(working, packet.lines, discount, item.id, item.platform_bp))
            holding.append(packet.item)
    return _choice(working, taken, holding), capped
