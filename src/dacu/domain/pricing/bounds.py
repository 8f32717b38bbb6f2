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

from dacu.domain.pricing.platform import PlatformRules
from dacu.domain.types import Fen


class PlatformBound:
    def __init__(self, rules: PlatformRules) -> None:
        self._rules = rules
        sets = [frozenset(lines) for lines in rules.lines]
        # A group's discount surely leaves a rule's base only if every member lies inside.
        self._inside = [
            [
                g
                for g, members in enumerate(rules.decisions)
                if all(sets[k] <= target for k in members)
            ]
            for target in sets
        ]
        self._touching = [
            [
                g
                for g, members in enumerate(rules.decisions)
                if any(sets[k] & target for k in members)
            ]
            for target in sets
        ]

    def ceiling(self, low: Sequence[Fen], high: Sequence[Fen]) -> Fen:
        """At most what the platform layer takes off any amounts between `low` and `high`."""
        rules = self._rules
        lows = [sum(map(low.__getitem__, lines)) for lines in rules.lines]
        highs = [sum(map(high.__getitem__, lines)) for lines in rules.lines]
        least: list[Fen] = []  # per group: what it surely takes
        most: list[Fen] = []  # per group: what it may take
        for g, members in enumerate(rules.decisions):
            group_least, group_most = 0, 0
            for k in members:
                benefit = rules.threshold(k)
                top = highs[k] - sum(least[j] for j in self._inside[k] if j < g)
                bottom = lows[k] - sum(most[j] for j in self._touching[k] if j < g)
                group_most = max(group_most, benefit.discount(max(top, 0), rules.qty[k]))
                group_least = max(group_least, benefit.discount(max(bottom, 0), rules.qty[k]))
            least.append(group_least)
            most.append(group_most)
        total = sum(most)
        coupon_most = [0]
        for k in rules.coupon_range:
            top = highs[k] - sum(least[j] for j in self._inside[k])
            coupon_most.append(rules.item(k).discount(max(top, 0)))
        total += max(coupon_most)
        for k in rules.packet_range:
            top = highs[k] - sum(least[j] for j in self._inside[k])
            total += rules.item(k).discount(max(top, 0))
        return min(total, sum(high))
