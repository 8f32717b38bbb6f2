"""The platform stage as the wallet search walks it: thresholds, a coupon, red packets.

Rules are numbered in the order they are decided (thresholds with a group
where it first stands, then platform coupons, then red packets). A `Ledger`
keeps the running amounts. Where the lines of the rules nest — each rule's
lines contain or avoid those of every rule before it that can apply with it
— a rule's base is its starting base less the discounts of the earlier rules
inside it, so the ledger keeps sums instead of apportioning line by line:
how a discount is spread cannot move a fen across a border it does not
cross. Coupons are alternatives, as are the members of one group, so they
need not nest with each other. Thresholds that do not nest are walked line
by line and the rules after them, if those nest, by sums.
"""

from collections.abc import Sequence
from itertools import combinations

from dacu.domain.benefits import ThresholdBenefit
from dacu.domain.money import apportion
from dacu.domain.pricing.offers import Offers, Reach, WalletReach
from dacu.domain.pricing.selection import Choice
from dacu.domain.pricing.steps import threshold_decisions
from dacu.domain.pricing.tally import Profile, Tally
from dacu.domain.regime import Regime
from dacu.domain.types import FULL_BP, Fen
from dacu.domain.wallet import WalletItem

_MAX_PACKET_SEARCH = 16
"""Above this many red packets that hit the floor of 0, all usable ones are kept."""


class PlatformRules:
    """One cart's platform-stage rules, numbered, with how their lines nest."""

    def __init__(self, offers: Offers) -> None:
        decisions = threshold_decisions(offers.platform_thresholds)
        self.thresholds: tuple[Reach, ...] = tuple(r for members in decisions for r in members)
        self.coupons: tuple[WalletReach, ...] = offers.platform_coupons
        self.packets: tuple[WalletReach, ...] = offers.red_packets
        self.decisions: list[range] = []
        for members in decisions:
            start = self.decisions[-1].stop if self.decisions else 0
            self.decisions.append(range(start, start + len(members)))
        self.coupon_range = range(len(self.thresholds), len(self.thresholds) + len(self.coupons))
        self.packet_range = range(
            self.coupon_range.stop, self.coupon_range.stop + len(self.packets)
        )
        self.lines: list[tuple[int, ...]] = [
            *(r.lines for r in self.thresholds),
            *(c.lines for c in self.coupons),
            *(p.lines for p in self.packets),
        ]
        # Units matter only to thresholds (满n件); coupons and red packets go by amount.
        self.qty = [r.qty for r in self.thresholds] + [0] * (len(self.coupons) + len(self.packets))
        self._benefits: list[ThresholdBenefit] = []
        for reach in self.thresholds:
            assert isinstance(reach.rule.benefit, ThresholdBenefit)
            self._benefits.append(reach.rule.benefit)
        self._items = [held.item for held in (*self.coupons, *self.packets)]
        group_of = {k: g for g, members in enumerate(self.decisions) for k in members}
        coupons = self.coupon_range
        self.inside, tangled = _nesting(self.lines, coupons, group_of)
        # Rules from `by_sums` on are kept as sums; those before it line by line.
        if tangled < 0:
            self.by_sums = 0
        elif tangled < coupons.start:
            self.by_sums = coupons.start
        else:
            self.by_sums = len(self.lines)

    def threshold(self, k: int) -> ThresholdBenefit:
        return self._benefits[k]

    def item(self, k: int) -> WalletItem:
        return self._items[k - self.coupon_range.start]


def _nesting(
    lines: Sequence[tuple[int, ...]], coupons: range, group_of: dict[int, int]
) -> tuple[list[tuple[int, ...]], int]:
    """For each rule, the earlier rules whose lines lie inside its own; and the last rule
    that some later rule does not nest with (-1 when every pair nests)."""
    # Rules mostly share a few line sets (all lines, one shop): relate each pair once.
    relation: dict[tuple[tuple[int, ...], tuple[int, ...]], tuple[bool, bool]] = {}

    def relate(j: int, k: int) -> tuple[bool, bool]:
        """(j's lines lie inside k's, j's lines and k's nest)."""
        key = (lines[j], lines[k])
        if key[0] == key[1]:
            return True, True
        found = relation.get(key)
        if found is None:
            inner, outer = set(key[0]), set(key[1])
            inside = inner <= outer
            found = relation[key] = (inside, inside or not inner & outer)
        return found

    inside: list[list[int]] = [[] for _ in lines]
    tangled = -1
    for k in range(len(lines)):
        for j in range(k):
            if (j in coupons and k in coupons) or group_of.get(j, -1) == group_of.get(k, -2):
                continue  # alternatives never apply together
            within, nested = relate(j, k)
            if within:
                inside[k].append(j)
            if not nested:
                tangled = max(tangled, j)
    return [tuple(found) for found in inside], tangled


class Ledger:
    """Running amounts through the platform stage: per line, then per rule as sums."""

    def __init__(self, rules: PlatformRules, amounts: Sequence[Fen]) -> None:
        self._rules = rules
        self._amounts = list(amounts)
        self._taken: dict[int, Fen] = {}
        self._start: dict[int, Fen] = {}

    def copy(self) -> "Ledger":
        twin = Ledger.__new__(Ledger)
        twin._rules = self._rules
        twin._amounts = list(self._amounts)
        twin._taken = dict(self._taken)
        twin._start = dict(self._start)
        return twin

    @property
    def amounts(self) -> list[Fen]:
        """Per line; only exact while every rule so far was taken line by line."""
        return self._amounts

    @property
    def payable(self) -> Fen:
        return sum(self._amounts) - sum(self._taken.values())

    def base(self, k: int) -> Fen:
        lines = self._rules.lines[k]
        if k < self._rules.by_sums:
            return sum(map(self._amounts.__getitem__, lines))
        if k not in self._start:  # nothing kept as sums has touched the lines yet
            self._start[k] = sum(map(self._amounts.__getitem__, lines))
        taken, found = self._taken, self._start[k]
        for j in self._rules.inside[k]:  # a loop, not sum(): the search asks this most
            if j in taken:
                found -= taken[j]
        return found

    def take(self, k: int, discount: Fen) -> None:
        if k >= self._rules.by_sums:
            self._taken[k] = discount
            return
        lines = self._rules.lines[k]
        shares = apportion(discount, [self._amounts[i] for i in lines])
        for i, share in zip(lines, shares, strict=True):
            self._amounts[i] -= share


def walk_thresholds(
    rules: PlatformRules, ledger: Ledger, profile: Profile | None = None, prefix: int = 0
) -> None:
    """Apply each threshold decision: the largest discount of a group, ties to the first.

    With a `profile`, tally each rule's regime; the first `prefix` decisions apart.
    """
    for position, members in enumerate(rules.decisions):
        tally = profile.tally(position < prefix) if profile is not None else None
        best, winner, rated = 0, -1, 0
        for k in members:
            base = ledger.base(k)
            benefit = rules.threshold(k)
            discount = benefit.discount(base, rules.qty[k])
            if tally is not None:
                regime = benefit.regime(base, rules.qty[k])
                tally.add(regime)
                rated += regime.rate > 0 and discount > 0
            if discount > best:
                best, winner = discount, k
        if profile is not None and tally is not None:
            profile.unsettled |= len(members) > 1 and rated > 0 and position >= prefix
            tally.states.append(winner)
        if winner >= 0:
            ledger.take(winner, best)


def best_choice(
    rules: PlatformRules,
    ledger: Ledger,
    used: Sequence[WalletItem],
    profile: Profile | None = None,
    prefix: int = 0,
) -> Choice:
    """The best platform coupon and red packets after the thresholds on `ledger`.

    With a `profile`, the walk also tallies every rule's regime (stability.py).
    """
    walk_thresholds(rules, ledger, profile, prefix)
    tally = profile.rest if profile is not None else None
    best = _best_packets(rules, ledger, used, tally)
    for k in rules.coupon_range:
        item = rules.item(k)
        base = ledger.base(k)
        if tally is not None:
            tally.add(item.regime(base))
        discount = item.discount(base)
        if discount <= 0:
            continue
        after = ledger.copy()
        after.take(k, discount)
        found = _best_packets(rules, after, [*used, item], tally)
        if found.beats(best):
            best = found
    return best


def _best_packets(
    rules: PlatformRules, ledger: Ledger, used: Sequence[WalletItem], tally: Tally | None
) -> Choice:
    """The best subset of red packets: all usable ones unless one hits the floor of 0."""
    before = {k: ledger.base(k) for k in rules.packet_range}
    if tally is not None:
        for k in rules.packet_range:
            tally.add(rules.item(k).regime(before[k]))
    usable = [k for k in rules.packet_range if rules.item(k).discount(before[k]) > 0]
    best, capped = take_packets(rules, ledger.copy(), usable, before, used, tally)
    if not capped or len(usable) > _MAX_PACKET_SEARCH:
        return best
    for size in range(len(usable)):
        for subset in combinations(usable, size):
            found, _ = take_packets(rules, ledger.copy(), subset, before, used)
            if found.beats(best):
                best = found
    return best


def take_packets(
    rules: PlatformRules,
    ledger: Ledger,
    packets: Sequence[int],
    before: dict[int, Fen],
    used: Sequence[WalletItem],
    tally: Tally | None = None,
) -> tuple[Choice, bool]:
    """Red packets soonest expiry first, each tested on the payable before any of them.

    Returns the choice and whether a packet gave less than its face value
    because its lines had reached 0.
    """
    holding = list(used)
    capped = False
    for k in packets:
        item = rules.item(k)
        face = item.discount(before[k])
        current = ledger.base(k)
        discount = min(face, current)
        capped = capped or discount < face
        if tally is not None:  # how far its lines are from being eaten whole
            slack = current - face
            tally.add(Regime(("packet", slack >= 0), max(slack, 0), FULL_BP if slack < 0 else 0))
        if discount > 0:
            ledger.take(k, discount)
            holding.append(item)
    return Choice.of(ledger.payable, holding), capped
