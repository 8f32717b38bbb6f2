"""Settling a whole subtree of the wallet search at once (the reasons are in stability.py)."""

from collections.abc import Callable, Sequence
from itertools import product

from dacu.domain.cart import Cart
from dacu.domain.pricing.offers import Offers
from dacu.domain.pricing.options import ShopOption, largest_shares
from dacu.domain.pricing.platform import Ledger, PlatformRules, best_choice
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.stability import (
    Box,
    all_lines_prefix,
    prefix_discount,
    profile,
    rest_range,
    settled,
)
from dacu.domain.pricing.tally import Profile
from dacu.domain.types import Fen

_MAX_LEAVES = 4096
"""Subtrees with more leaves than this are searched, not settled by their totals."""

PriceLeaf = Callable[[Sequence[ShopOption]], Choice]


class Shortcuts:
    def __init__(
        self, cart: Cart, offers: Offers, rules: PlatformRules, price_leaf: PriceLeaf
    ) -> None:
        self._cart = cart
        self._offers = offers
        self._rules = rules
        self._price_leaf = price_leaf
        self._prefix = all_lines_prefix(cart, rules)
        self._qty = sum(line.qty for line in cart.lines)

    def settle(
        self,
        working: Sequence[Fen],
        open_shops: Sequence[Sequence[ShopOption]],
        chosen: Sequence[ShopOption],
    ) -> Choice | None:
        """The best leaf of the subtree below `chosen`, or None if it must be searched."""
        if not all(_within(o, found[0]) for found in open_shops for o in found[1:]):
            return None
        leaf = self._largest_is_best(working, open_shops, chosen)
        if leaf is not None or not self._prefix:
            return leaf
        floor = list(working)
        for found in open_shops:
            for i, share in largest_shares(found).items():
                floor[i] -= share
        return self._settle_by_total(Box(floor, working), open_shops, chosen)

    def _largest_is_best(
        self,
        working: Sequence[Fen],
        open_shops: Sequence[Sequence[ShopOption]],
        chosen: Sequence[ShopOption],
    ) -> Choice | None:
        """The leaf where every open shop takes its largest coupon, if it is provably best."""
        gap: Fen | None = None
        for found in open_shops:
            second = found[1].discount if len(found) > 1 else 0
            if second == found[0].discount:
                return None  # equal coupons with different effects: price each
            step = found[0].discount - second
            gap = step if gap is None else min(gap, step)
        if gap is None:
            return None
        largest = [found[0] for found in open_shops]
        low = list(working)
        for option in largest:
            for i, share in option.applied.shares:
                low[i] -= share
        prefix = len(self._prefix)
        low_profile = Profile()
        items = [option.reach.item for option in (*chosen, *largest)]
        leaf = best_choice(self._rules, Ledger(self._rules, low), items, low_profile, prefix)
        leaf.shop_shares = {o.reach.item.id: o.applied for o in (*chosen, *largest)}
        if low_profile.unsettled:
            return None
        high_profile = profile(self._rules, working, prefix)
        return leaf if settled(low_profile, high_profile, gap, len(working)) else None

    def _settle_by_total(
        self,
        box: Box,
        open_shops: Sequence[Sequence[ShopOption]],
        chosen: Sequence[ShopOption],
    ) -> Choice | None:
        """Price only the leaves whose payable, known within a band, can be the lowest."""
        leaves = 1
        for found in open_shops:
            leaves *= len(found) + 1
        if leaves > _MAX_LEAVES:
            return None
        total = sum(box.high)
        combos = list(product(*([*found, None] for found in open_shops)))
        given = [sum(o.discount for o in combo if o is not None) for combo in combos]
        taken = [prefix_discount(self._rules, self._prefix, total - d, self._qty) for d in given]
        rest_least, rest_most = rest_range(
            self._cart, self._offers, len(self._prefix), box, (min(taken), max(taken))
        )
        # Each leaf pays between these; only leaves that could be the cheapest are priced.
        payables = [total - d - t - rest_most for d, t in zip(given, taken, strict=True)]
        ceiling = min(payables) + rest_most - rest_least
        best: Choice | None = None
        for combo, payable in zip(combos, payables, strict=True):
            if payable <= ceiling:
                leaf = self._price_leaf([*chosen, *(o for o in combo if o is not None)])
                if leaf.beats(best):
                    best = leaf
        return best


def _within(option: ShopOption, largest: ShopOption) -> bool:
    """No line gives more to `option` than one fen over what it gives to `largest`."""
    if option.reach.lines == largest.reach.lines:
        return True  # the same weights share a smaller discount: a fen more at most
    most = dict(largest.applied.shares)
    return all(share <= most.get(i, 0) + 1 for i, share in option.applied.shares)
