"""When the platform layer cannot change its mind: the wallet search's shortcuts.

A subtree of the shop-coupon search fixes some shops' coupons and leaves the
rest open. Its leaves lie between two extremes: every open shop taking its
largest coupon (`low`), and none of them taking any (`high`). If at both
extremes every platform rule is in the same state (tier, multiple, cap,
coupon and red-packet thresholds reached or not, nothing eating a whole
base) with room to spare, then no leaf in between crosses a boundary either:
fixed discounts stay fixed, and rate-based ones give back at most `rate` of
every fen a smaller shop coupon leaves on the table, plus a fen of rounding
each. When the smallest such fen count (`gap`) outweighs that, the `low`
leaf is the best of the subtree and the rest need not be priced.

Platform-wide rules listed first (the all-lines prefix: 跨店满减, 每满300减50)
see only the running total, so what they take off each leaf is known from its
total alone; the rules after them are bounded by interval arithmetic on the
amounts (`rest_range`). Each leaf's payable is then known within a band, and
only the leaves whose band reaches the lowest are priced.

Room to spare (`noise`) covers the fen that apportioning can move between
lines: one a line for each rule, and one for each line of a shop coupon.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dacu.domain.benefits import ThresholdBenefit
from dacu.domain.cart import Cart
from dacu.domain.pricing.offers import Offers
from dacu.domain.pricing.platform import Ledger, PlatformRules, best_choice
from dacu.domain.pricing.steps import threshold_decisions
from dacu.domain.pricing.tally import Profile
from dacu.domain.types import FULL_BP, Fen


def all_lines_prefix(cart: Cart, rules: PlatformRules) -> list[range]:
    """The leading threshold decisions whose every member reaches every line."""
    every = tuple(range(len(cart.lines)))
    prefix: list[range] = []
    for members in rules.decisions:
        if not all(rules.lines[k] == every for k in members):
            break
        prefix.append(members)
    return prefix


def prefix_discount(rules: PlatformRules, prefix: Sequence[range], total: Fen, qty: int) -> Fen:
    """What the all-lines prefix takes off a cart whose running total is `total`."""
    running = total
    for members in prefix:
        best = 0
        for k in members:
            discount = rules.threshold(k).discount(running, qty)
            if discount > best:
                best = discount
        running -= best
    return total - running


def profile(rules: PlatformRules, amounts: Sequence[Fen], prefix: int) -> Profile | None:
    """The platform layer's states on `amounts`; None where a group could turn on rates.

    The first `prefix` threshold decisions are tallied apart from the rest.
    """
    found = Profile()
    best_choice(rules, Ledger(rules, amounts), (), found, prefix)
    return None if found.unsettled else found


def settled(low: Profile | None, high: Profile | None, gap: Fen, lines: int) -> bool:
    """Whether the `low` leaf is the best of every leaf between `low` and `high`."""
    if low is None or high is None:
        return False
    if low.prefix.states != high.prefix.states or low.rest.states != high.rest.states:
        return False
    rules = low.prefix.rules + low.rest.rules
    noise = (rules + 1) * lines
    margin = min(low.prefix.margin, low.rest.margin, high.prefix.margin, high.rest.margin)
    rate = max(low.prefix.rate + low.rest.rate, high.prefix.rate + high.rest.rate)
    rated = max(low.prefix.rated + low.rest.rated, high.prefix.rated + high.rest.rated)
    return (
        margin > noise
        and rate < FULL_BP
        and gap * (FULL_BP - rate) > rate * noise + FULL_BP * rated
    )


@dataclass(frozen=True, slots=True)
class Box:
    """Each line's lowest and highest amount over the leaves of a subtree."""

    low: Sequence[Fen]
    high: Sequence[Fen]

    def span(self, lines: Sequence[int]) -> tuple[Fen, Fen]:
        return sum(self.low[i] for i in lines), sum(self.high[i] for i in lines)


def rest_range(
    cart: Cart, offers: Offers, prefix: int, box: Box, taken: tuple[Fen, Fen]
) -> tuple[Fen, Fen]:
    """Least and most the rules after the all-lines prefix can take off any leaf.

    `taken` bounds what the prefix takes off; a rule's share of it follows its
    lines' share of the cart, within a fen a line for each prefix rule. Each
    rule's base then lies in an interval, and its discount — monotone in the
    base — between its discounts at the two ends. A decision (a group, or a
    coupon) takes off lines inside a rule's lines at least its least, and off
    lines that only overlap them between nothing and its most.
    """
    bases = _Bases(cart, prefix, box, taken)
    lowest, highest = _thresholds_range(offers, prefix, bases)
    best_least, best_most = _wallet_range(offers, bases)
    return lowest + best_least, highest + best_most


_Took = tuple[tuple[frozenset[int], ...], Fen, Fen]  # (lines, least, most) of a decision


class _Bases:
    """The interval a rule's base lies in, given the decisions taken `before` it."""

    def __init__(self, cart: Cart, prefix: int, box: Box, taken: tuple[Fen, Fen]) -> None:
        self._prefix, self._box, self._taken = prefix, box, taken
        self._total = box.span(range(len(cart.lines)))
        self.before: list[_Took] = []

    def span(self, lines: Sequence[int]) -> tuple[Fen, Fen]:
        (least, most), (total_low, total_high) = self._taken, self._total
        low, high = self._box.span(lines)
        count = len(lines)
        share_low = least * low // max(total_high, 1) - count * self._prefix
        share_high = -(-most * high // max(total_low, 1)) + count * self._prefix
        bottom, top = low - count - share_high, high - max(share_low, 0)
        covered = frozenset(lines)
        for reached, took_least, took_most in self.before:
            if all(lines_ <= covered for lines_ in reached):
                bottom, top = bottom - took_most, top - took_least
            elif any(lines_ & covered for lines_ in reached):
                bottom -= took_most
        return max(bottom, 0), max(top, 0)


def _thresholds_range(offers: Offers, prefix: int, bases: _Bases) -> tuple[Fen, Fen]:
    """Least and most the threshold decisions after the prefix take off, noted in `bases`."""
    lowest, highest = 0, 0
    for members in threshold_decisions(offers.platform_thresholds)[prefix:]:
        group_least, group_most = 0, 0
        for reach in members:
            benefit = reach.rule.benefit
            assert isinstance(benefit, ThresholdBenefit)
            bottom, top = bases.span(reach.lines)
            group_least = max(group_least, benefit.discount(bottom, reach.qty))
            group_most = max(group_most, benefit.discount(top, reach.qty))
        if group_most > 0:
            reached = tuple(frozenset(r.lines) for r in members)
            bases.before.append((reached, group_least, group_most))
            lowest, highest = lowest + group_least, highest + group_most
    return lowest, highest


def _wallet_range(offers: Offers, bases: _Bases) -> tuple[Fen, Fen]:
    """Least and most the best platform coupon (or none) and the red packets take off."""
    thresholds = list(bases.before)
    best_least, best_most = 0, 0
    for coupon in (None, *offers.platform_coupons):
        bases.before = list(thresholds)
        took_least, took_most = 0, 0
        if coupon is not None:
            bottom, top = bases.span(coupon.lines)
            took_least, took_most = coupon.item.discount(bottom), coupon.item.discount(top)
            if took_most == 0:
                continue
            bases.before.append(((frozenset(coupon.lines),), took_least, took_most))
        pre = [bases.span(packet.lines) for packet in offers.red_packets]
        for packet, (bottom, top) in zip(offers.red_packets, pre, strict=True):
            face_least, face_most = packet.item.discount(bottom), packet.item.discount(top)
            if face_most == 0:
                continue
            # What is left on its lines may be less than its face.
            gives_least = min(face_least, bases.span(packet.lines)[0])
            bases.before.append(((frozenset(packet.lines),), gives_least, face_most))
            took_least, took_most = took_least + gives_least, took_most + face_most
        best_least, best_most = max(best_least, took_least), max(best_most, took_most)
    return best_least, best_most
