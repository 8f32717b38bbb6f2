"""When the platform layer cannot change its mind: the wallet search's shortcut.

A subtree of the shop-coupon search fixes some shops' coupons and leaves the
rest open. Its leaves lie between two extremes: every open shop taking its
largest coupon (`low`), and none of them taking any (`high`). If at both
extremes every platform rule is in the same state (tier, multiple, cap,
coupon and red-packet thresholds reached or not, nothing eating a whole
base) with room to spare, then no leaf in between crosses a boundary either;
fixed discounts stay fixed, and rate-based ones give back at most `rate` of
every fen a smaller shop coupon leaves on the table, plus a fen of rounding
each. When the smallest such fen count (`gap`) outweighs that, the `low`
leaf is the best of the subtree and the rest need not be priced.

Room to spare (`noise`) covers the fen that apportioning can move between
lines: one a line for each rule, and one for each line of a shop coupon.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dacu.domain.benefits import ThresholdBenefit
from dacu.domain.cart import Cart
from dacu.domain.pricing.ledger import base_of, take
from dacu.domain.pricing.offers import Offers
from dacu.domain.pricing.steps import apply_best_threshold, threshold_decisions
from dacu.domain.regime import UNBOUNDED, Regime
from dacu.domain.types import FULL_BP, Bp, Fen


@dataclass(slots=True)
class Profile:
    """The states of every platform rule on one set of amounts."""

    states: list[object]
    margin: Fen = UNBOUNDED
    rate: Bp = 0
    rules: int = 0
    rated: int = 0  # rules whose discount follows the base, each rounding once

    def add(self, regime: Regime) -> None:
        self.states.append(regime.state)
        self.margin = min(self.margin, regime.margin)
        self.rate += regime.rate
        self.rules += 1
        self.rated += regime.rate > 0


def profile(cart: Cart, offers: Offers, amounts: Sequence[Fen]) -> Profile | None:
    """The platform layer's states on `amounts`; None where a group could turn on rates."""
    found = Profile(states=[])
    working = list(amounts)
    for members in threshold_decisions(offers.platform_thresholds):
        rated = 0
        for reach in members:
            benefit = reach.rule.benefit
            assert isinstance(benefit, ThresholdBenefit)
            base = base_of(working, reach.lines)
            regime = benefit.regime(base, reach.qty)
            found.add(regime)
            rated += regime.rate > 0 and benefit.discount(base, reach.qty) > 0
        if len(members) > 1 and rated:
            return None
        winner = apply_best_threshold(cart, members, working, "platform", None)
        found.states.append(winner.id if winner else None)
    _packets_profile(offers, working, found)
    for coupon in offers.platform_coupons:
        base = base_of(working, coupon.lines)
        found.add(coupon.item.regime(base))
        discount = coupon.item.discount(base)
        if discount > 0:
            after = list(working)
            take(after, coupon.lines, discount, coupon.item.id, coupon.item.platform_bp)
            _packets_profile(offers, after, found)
    return found


def _packets_profile(offers: Offers, amounts: Sequence[Fen], found: Profile) -> None:
    working = list(amounts)
    before = [base_of(working, p.lines) for p in offers.red_packets]
    for packet, base in zip(offers.red_packets, before, strict=True):
        found.add(packet.item.regime(base))
        face = packet.item.discount(base)
        if face == 0:
            continue
        current = base_of(working, packet.lines)
        slack = current - face
        found.add(Regime(("packet", slack >= 0), max(slack, 0), FULL_BP if slack < 0 else 0))
        take(working, packet.lines, min(face, current), packet.item.id, 0)


def settled(low: Profile | None, high: Profile | None, gap: Fen, lines: int) -> bool:
    """Whether the `low` leaf is the best of every leaf between `low` and `high`."""
    if low is None or high is None or low.states != high.states:
        return False
    noise = (low.rules + 1) * lines
    rate = max(low.rate, high.rate)
    rated = max(low.rated, high.rated)
    return (
        min(low.margin, high.margin) > noise
        and rate < FULL_BP
        and gap * (FULL_BP - rate) > rate * noise + FULL_BP * rated
    )
