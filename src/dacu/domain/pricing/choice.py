"""Optimal wallet choice: the coupons and red packets that make `payable` lowest.

Legal choices are at most one coupon a shop, one platform coupon and any red
packets. The choice is global — a smaller shop coupon can leave the running
amount high enough to unlock a platform coupon — so shop coupons are searched
depth-first with a bound: the payable so far, minus the largest shop coupons
still available, minus a ceiling on what the platform layer could still take
off (every platform discount is monotone in its base, so its value on the
amounts before the remaining shop coupons bounds it). Shop coupons with the
same effect are searched once. Each leaf walks the platform stage from sums
where scopes nest (platform.py); whole subtrees are settled at once where the
platform layer provably cannot change its mind (stability.py).
"""

from collections.abc import Sequence

from dacu.domain.cart import Cart
from dacu.domain.pricing.bounds import PlatformBound
from dacu.domain.pricing.offers import Offers
from dacu.domain.pricing.options import ShopOption, largest_shares, shop_options
from dacu.domain.pricing.platform import Ledger, PlatformRules, best_choice
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.shortcuts import Shortcuts
from dacu.domain.types import Fen

_SHORTCUT_FROM = 2
"""Open shops from which a subtree is first tested for the shortcut (stability.py)."""


def choose(cart: Cart, offers: Offers, amounts: Sequence[Fen]) -> Choice:
    """The best legal wallet choice on `amounts` (after the shop threshold step)."""
    options = [
        found
        for shop in cart.shops
        if (found := shop_options(offers.shop_coupons.get(shop, ()), amounts))
    ]
    best_after = [0] * (len(options) + 1)
    for k in range(len(options) - 1, -1, -1):
        best_after[k] = best_after[k + 1] + options[k][0].discount
    rules = PlatformRules(offers)
    leaves = _LeafPricer(rules, amounts)
    shortcuts = Shortcuts(cart, offers, rules, leaves.price)
    bound: PlatformBound | None = None  # built when first needed: most carts settle at once
    largest: list[dict[int, Fen]] = []  # per shop, the most any coupon takes off each line
    working = list(amounts)
    chosen: list[ShopOption] = []
    best: Choice | None = None

    def floor(k: int) -> list[Fen]:
        """Each line at its lowest after any coupon of the shops still open from `k`."""
        if not largest:
            largest.extend(largest_shares(found) for found in options)
        lowest = list(working)
        for shares in largest[k:]:
            for i, share in shares.items():
                lowest[i] -= share
        return lowest

    def visit(k: int, total: Fen) -> None:
        nonlocal best, bound
        if best is not None:
            bound = bound or PlatformBound(rules)
            ceiling = bound.ceiling(floor(k), working)
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
        for option in options[k]:
            _shift(working, option, -1)
            chosen.append(option)
            visit(k + 1, total - option.discount)
            chosen.pop()
            _shift(working, option, +1)
        visit(k + 1, total)

    visit(0, sum(amounts))
    assert best is not None
    return best


def _shift(working: list[Fen], option: ShopOption, sign: int) -> None:
    for i, share in option.applied.shares:
        working[i] += sign * share


class _LeafPricer:
    """Prices the platform stage for one set of shop coupons."""

    def __init__(self, rules: PlatformRules, amounts: Sequence[Fen]) -> None:
        self._rules = rules
        self._amounts = amounts

    def price(self, chosen: Sequence[ShopOption]) -> Choice:
        working = list(self._amounts)
        for option in chosen:
            for i, share in option.applied.shares:
                working[i] -= share
        ledger = Ledger(self._rules, working)
        leaf = best_choice(self._rules, ledger, [o.reach.item for o in chosen])
        leaf.shop_shares = {o.reach.item.id: o.applied for o in chosen}
        return leaf
