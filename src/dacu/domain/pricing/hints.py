"""凑单 hints: how much more of a rule's goods would unlock its next tier."""

from dacu.domain.benefits import ThresholdBenefit
from dacu.domain.pricing.offers import Offers, Reach, WalletReach
from dacu.domain.pricing.result import Hint
from dacu.domain.pricing.trace import Trace


def hints_for(offers: Offers, trace: Trace) -> list[Hint]:
    """A hint for every threshold rule or wallet item below its highest tier.

    Each is measured on the running base its step saw, so `add` is in current
    (already discounted) prices of its eligible goods.
    """
    hints: list[Hint] = []
    for reaches in offers.shop_thresholds.values():
        hints += _promotion_hints(reaches, trace)
    for coupons in offers.shop_coupons.values():
        hints += _wallet_hints(coupons, trace)
    hints += _promotion_hints(offers.platform_thresholds, trace)
    hints += _wallet_hints(offers.platform_coupons, trace)
    hints += _wallet_hints(offers.red_packets, trace)
    return hints


def _promotion_hints(reaches: tuple[Reach, ...], trace: Trace) -> list[Hint]:
    hints: list[Hint] = []
    for reach in reaches:
        benefit = reach.rule.benefit
        measure = trace.measures.get(reach.rule.id)
        if measure is None or not isinstance(benefit, ThresholdBenefit):
            continue
        step = benefit.next_step(measure.base, measure.qty, measure.unit)
        if step is not None:
            hints.append(Hint(reach.rule.id, step.add, step.extra_off))
    return hints


def _wallet_hints(reaches: tuple[WalletReach, ...], trace: Trace) -> list[Hint]:
    hints: list[Hint] = []
    for reach in reaches:
        item = reach.item
        measure = trace.measures.get(item.id)
        if measure is None or measure.base >= item.threshold:
            continue
        hints.append(Hint(item.id, item.threshold - measure.base, item.discount(item.threshold)))
    return hints
