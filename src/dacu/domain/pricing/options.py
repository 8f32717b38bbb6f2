"""A shop's usable coupons as options of the wallet search."""

from collections.abc import Sequence
from typing import NamedTuple

from dacu.domain.money import apportion
from dacu.domain.pricing.ledger import Applied
from dacu.domain.pricing.offers import WalletReach
from dacu.domain.types import Fen


class ShopOption(NamedTuple):
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


def largest_shares(found: Sequence[ShopOption]) -> dict[int, Fen]:
    """Per line, the most any of one shop's coupons takes off it."""
    largest: dict[int, Fen] = {}
    for option in found:
        for i, share in option.applied.shares:
            largest[i] = max(largest.get(i, 0), share)
    return largest
