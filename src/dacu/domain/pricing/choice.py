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
from itertools import combinations

from dacu.domain.cart import Cart
from dacu.domain.pricing.bounds import PlatformBound
from dacu.domain.pricing.ledger import Applied, base_of, take
from dacu.domain.pricing.offers import Offers, WalletReach
from dacu.domain.pricing.options import ShopOption, largest_shares, shop_options
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.shortcuts import Shortcuts
from dacu.domain.pricing.steps import apply_platform_thresholds
from dacu.domain.pricing.sums import NestedStage
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem

_MAX_PACKET_SEARCH = 16
"""Above this many capped red packets the subset search keeps all of them."""

_SHORTCUT_FROM = 2
"""Open shops from which a subtree is first tested for the shortcut (stability.py)."""


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
    leaves = _LeafPricer(cart, offers, amounts, applied)
    shortcuts = Shortcuts(cart, offers, leaves.price)
    bound = PlatformBound(offers)
    # `floor` holds each line at its lowest after any coupon of the shops still open.
    floor = list(amounts)
    for found in options:
        for i, share in largest_shares(found).items():
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
        found: Choice | None = None
        if k == len(options):
            found = leaves.price(chosen)
        elif len(options) - k >= _SHORTCUT_FROM:
            found = shortcuts.settle(working, options[k:], chosen)
        if found is not None:
            if found.beats(best):
                best = found
            return
        largest = largest_shares(options[k])
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


def _shift(working: list[Fen], floor: list[Fen], option: ShopOption, sign: int) -> None:
    for i, share in option.applied.shares:
        working[i] += sign * share
        floor[i] += sign * share


class _LeafPricer:
    """Prices the platform stage for one set of shop coupons: from sums where it can."""

    def __init__(
        self, cart: Cart, offers: Offers, amounts: Sequence[Fen], applied: Sequence[Applied]
    ) -> None:
        self._cart = cart
        self._offers = offers
        self._amounts = amounts
        self._applied = applied
        self._stage = NestedStage(cart, offers)
        self._tail = (
            self._stage if self._stage.nested else NestedStage(cart, offers, with_thresholds=False)
        )

    def price(self, chosen: Sequence[ShopOption]) -> Choice:
        working = list(self._amounts)
        for option in chosen:
            for i, share in option.applied.shares:
                working[i] -= share
        shop_items = [o.reach.item for o in chosen]
        if self._stage.nested:
            return self._stage.best(working, shop_items)
        if self._tail.nested:
            apply_platform_thresholds(self._cart, self._offers.platform_thresholds, working, None)
            return self._tail.best(working, shop_items)
        shop_applied = [*self._applied, *(o.applied for o in chosen)]
        return _platform_by_lines(self._cart, self._offers, working, shop_applied, shop_items)


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
