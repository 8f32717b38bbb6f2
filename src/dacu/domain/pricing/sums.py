"""The platform stage on sums: an exact fast path for the wallet search.

When the lines of each platform-stage rule either contain or avoid the lines
of every rule that can apply before it (platform thresholds, then the
platform coupon, then red packets), the base a rule sees is its starting
base minus the discounts of the earlier rules inside it: how a discount was
spread over the lines cannot move a fen across its border. The search can
then price a leaf from a handful of sums instead of apportioning every
discount line by line. Rules that are alternatives (coupons, members of one
group) never apply together, so they need not nest with each other.
"""

from collections.abc import Sequence
from itertools import combinations

from dacu.domain.benefits import ThresholdBenefit
from dacu.domain.cart import Cart
from dacu.domain.pricing.offers import Offers, Reach, WalletReach
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.steps import threshold_decisions
from dacu.domain.types import Fen
from dacu.domain.wallet import WalletItem

_MAX_PACKET_SEARCH = 16


class NestedStage:
    """Prices the platform stage of one cart from sums; built only when scopes nest."""

    def __init__(self, cart: Cart, offers: Offers, *, with_thresholds: bool = True) -> None:
        """Without thresholds, the stage starts after them: from the platform coupon on."""
        thresholds = offers.platform_thresholds if with_thresholds else ()
        decisions = threshold_decisions(thresholds)
        self._thresholds = tuple(reach for members in decisions for reach in members)
        self._coupons = offers.platform_coupons
        self._packets = offers.red_packets
        reaches: list[Reach | WalletReach] = [
            *self._thresholds,
            *self._coupons,
            *self._packets,
        ]
        self._lines = [r.lines for r in reaches]
        self._qty = [sum(cart.lines[i].qty for i in lines) for lines in self._lines]
        sets = [frozenset(lines) for lines in self._lines]
        self._inside = [
            tuple(j for j in range(k) if sets[j] <= sets[k] and not self._alternatives(j, k))
            for k in range(len(sets))
        ]
        self.nested = all(
            sets[j] <= sets[k] or not sets[j] & sets[k] or self._alternatives(j, k)
            for k in range(len(sets))
            for j in range(k)
        )
        self._decisions: list[list[int]] = []
        for members in decisions:
            start = sum(len(d) for d in self._decisions)
            self._decisions.append(list(range(start, start + len(members))))

    def _alternatives(self, j: int, k: int) -> bool:
        coupons = range(len(self._thresholds), len(self._thresholds) + len(self._coupons))
        if j in coupons and k in coupons:
            return True
        if k < len(self._thresholds):
            group = self._thresholds[k].rule.group
            return group is not None and self._thresholds[j].rule.group == group
        return False

    def best(self, amounts: Sequence[Fen], used: Sequence[WalletItem]) -> Choice:
        """The best platform coupon and red packets on `amounts`, as the full pass would."""
        start = [sum(amounts[i] for i in lines) for lines in self._lines]
        taken: dict[int, Fen] = {}
        for members in self._decisions:
            best_discount, best_rule = 0, -1
            for k in members:
                benefit = self._thresholds[k].rule.benefit
                assert isinstance(benefit, ThresholdBenefit)
                discount = benefit.discount(self._base(start, taken, k), self._qty[k])
                if discount > best_discount:
                    best_discount, best_rule = discount, k
            if best_rule >= 0:
                taken[best_rule] = best_discount
        total = sum(amounts) - sum(taken.values())
        best = self._best_packets(start, taken, total, tuple(used))
        offset = len(self._thresholds)
        for c, coupon in enumerate(self._coupons):
            k = offset + c
            discount = coupon.item.discount(self._base(start, taken, k))
            if discount <= 0:
                continue
            found = self._best_packets(
                start, {**taken, k: discount}, total - discount, (*used, coupon.item)
            )
            if found.beats(best):
                best = found
        return best

    def _base(self, start: Sequence[Fen], taken: dict[int, Fen], k: int) -> Fen:
        return start[k] - sum(taken.get(j, 0) for j in self._inside[k])

    def _best_packets(
        self,
        start: Sequence[Fen],
        taken: dict[int, Fen],
        payable: Fen,
        used: tuple[WalletItem, ...],
    ) -> Choice:
        offset = len(self._thresholds) + len(self._coupons)
        before = {k: self._base(start, taken, k) for k in range(offset, len(start))}
        usable = [k for k in before if self._packets[k - offset].item.discount(before[k]) > 0]
        full, capped = self._apply_packets(start, usable, before, taken, payable, used)
        if not capped or len(usable) > _MAX_PACKET_SEARCH:
            return full
        best = full
        for size in range(len(usable)):
            for subset in combinations(usable, size):
                found, _ = self._apply_packets(start, subset, before, taken, payable, used)
                if found.beats(best):
                    best = found
        return best

    def _apply_packets(
        self,
        start: Sequence[Fen],
        packets: Sequence[int],
        before: dict[int, Fen],
        taken: dict[int, Fen],
        payable: Fen,
        used: tuple[WalletItem, ...],
    ) -> tuple[Choice, bool]:
        offset = len(self._thresholds) + len(self._coupons)
        taken = dict(taken)
        holding = list(used)
        capped = False
        for k in packets:
            item = self._packets[k - offset].item
            face = item.discount(before[k])
            discount = min(face, self._base(start, taken, k))
            capped = capped or discount < face
            if discount > 0:
                taken[k] = discount
                payable -= discount
                holding.append(item)
        return Choice.of(payable, holding), capped
