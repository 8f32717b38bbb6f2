"""A shop's usable coupons as options of the wallet search."""

from collections.abc import Sequence

from dacu.domain.money import apportion
from dacu.domain.pricing.ledger import Applied
from dacu.domain.pricing.offers import WalletReach
from dacu.domain.types import Fen


class ShopOption:
    """A shop coupon with what it takes off; its split over the lines is worked out on demand.

    Most searches settle at once and never need the split of most options.
    """

    __slots__ = ("_applied", "_weights", "discount", "reach")

    def __init__(self, reach: WalletReach, discount: Fen, weights: list[Fen]) -> None:
        self.reach = reach
        self.discount = discount
        self._weights = weights
        self._applied: Applied | None = None

    @property
    def applied(self) -> Applied:
        if self._applied is None:
            shares = apportion(self.discount, self._weights)
            self._applied = Applied(
                self.reach.item.id,
                tuple((i, s) for i, s in zip(self.reach.lines, shares, strict=True) if s),
                self.reach.item.platform_bp,
            )
        return self._applied


def shop_options(coupons: Sequence[WalletReach], amounts: Sequence[Fen]) -> list[ShopOption]:
    """Usable coupons of one shop, largest first, one per distinct effect.

    Coupons reaching the same lines with the same discount split it the same
    way: only the one with the earliest expiry (then id) is kept.
    """
    found: list[ShopOption] = []
    for reach in coupons:
        weights = [amounts[i] for i in reach.lines]
        discount = reach.item.discount(sum(weights))
        if discount > 0:
            found.append(ShopOption(reach, discount, weights))
    found.sort(key=lambda o: (-o.discount, o.reach.item.expires_at, o.reach.item.id))
    effects: set[tuple[tuple[int, ...], Fen]] = set()
    distinct: list[ShopOption] = []
    for option in found:
        effect = (option.reach.lines, option.discount)
        if effect not in effects:
            effects.add(effect)
            distinct.append(option)
    return distinct


def largest_shares(found: Sequence[ShopOption]) -> dict[int, Fen]:
    """Per line, the most any of one shop's coupons takes off it."""
    largest: dict[int, Fen] = {}
    for option in found:
        for i, share in option.applied.shares:
            largest[i] = max(largest.get(i, 0), share)
    return largest
