"""An upper bound on what the platform layer can take off, for pruning the search.

A subtree of the shop-coupon search leaves some shops open; every leaf's
amounts lie between `low` (each line at its smallest after any open shop's
coupon) and `high` (no open shop using a coupon). Each platform rule's base
then lies in an interval: at most its `high` base less what earlier rules
*inside* it surely took, at least its `low` base less what earlier rules
touching it could take. Discounts are monotone in their base, so the rule
takes at most its discount on the top of that interval — and with stacking
counted, the bound is close to the truth where tiers are not in play.
"""

from collections.abc import Sequence

from dacu.domain.benefits import ThresholdBenefit
from dacu.domain.pricing.offers import Offers
from dacu.domain.pricing.steps import threshold_decisions
from dacu.domain.types import Fen


class PlatformBound:
    def __init__(self, offers: Offers) -> None:
        self._groups = threshold_decisions(offers.platform_thresholds)
        self._coupons = offers.platform_coupons
        self._packets = offers.red_packets
        threshold_sets = [frozenset(r.lines) for members in self._groups for r in members]
        self._lines: list[tuple[int, ...]] = [
            *(r.lines for members in self._groups for r in members),
            *(c.lines for c in self._coupons),
            *(p.lines for p in self._packets),
        ]
        sets = [frozenset(lines) for lines in self._lines]
        # A group's discount surely leaves a rule's base only if every member lies inside.
        group_sets: list[list[frozenset[int]]] = []
        position = 0
        for members in self._groups:
            group_sets.append(threshold_sets[position : position + len(members)])
            position += len(members)
        self._inside = [
            [g for g, found in enumerate(group_sets) if all(s <= target for s in found)]
            for target in sets
        ]
        self._touching = [
            [g for g, found in enumerate(group_sets) if any(s & target for s in found)]
            for target in sets
        ]

    def ceiling(self, low: Sequence[Fen], high: Sequence[Fen]) -> Fen:
        """At most what the platform layer takes off any amounts between `low` and `high`."""
        lows = [sum(low[i] for i in lines) for lines in self._lines]
        highs = [sum(high[i] for i in lines) for lines in self._lines]
        least: list[Fen] = []  # per group: what it surely takes
        most: list[Fen] = []  # per group: what it may take
        k = 0
        for g, members in enumerate(self._groups):
            group_least, group_most = 0, 0
            for reach in members:
                benefit = reach.rule.benefit
                assert isinstance(benefit, ThresholdBenefit)
                top = highs[k] - sum(least[j] for j in self._inside[k] if j < g)
                bottom = lows[k] - sum(most[j] for j in self._touching[k] if j < g)
                group_most = max(group_most, benefit.discount(max(top, 0), reach.qty))
                group_least = max(group_least, benefit.discount(max(bottom, 0), reach.qty))
                k += 1
            least.append(group_least)
            most.append(group_most)
        total = sum(most)
        coupon_most: list[Fen] = []
        for coupon in self._coupons:
            top = highs[k] - sum(least[j] for j in self._inside[k])
            coupon_most.append(coupon.item.discount(max(top, 0)))
            k += 1
        total += max(coupon_most, default=0)
        for packet in self._packets:
            top = highs[k] - sum(least[j] for j in self._inside[k])
            total += packet.item.discount(max(top, 0))
            k += 1
        return min(total, sum(high))
