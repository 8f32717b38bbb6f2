"""Order-level steps of the shop and platform layers: sets, thresholds, gifts."""

from collections.abc import Sequence

from dacu.domain.benefits import Bundle, Gift, ThresholdBenefit, ThresholdDiscount
from dacu.domain.cart import Cart
from dacu.domain.money import apportion, yuan
from dacu.domain.pricing.items import Segment
from dacu.domain.pricing.ledger import Applied, base_of, take
from dacu.domain.pricing.offers import Reach, WalletReach
from dacu.domain.pricing.trace import Trace
from dacu.domain.types import Fen


def cheapest_unit(cart: Cart, amounts: Sequence[Fen], lines: Sequence[int]) -> Fen:
    """The lowest current unit price among `lines`, rounded up to the fen."""
    return min(-(-amounts[i] // cart.lines[i].qty) for i in lines)


def _threshold(reach: Reach) -> ThresholdBenefit:
    benefit = reach.rule.benefit
    assert isinstance(benefit, ThresholdBenefit), "only threshold kinds reach here"
    return benefit


def threshold_discount(cart: Cart, amounts: Sequence[Fen], reach: Reach) -> Fen:
    return _threshold(reach).discount(base_of(amounts, reach.lines), reach.qty)


def measure(cart: Cart, amounts: Sequence[Fen], reach: Reach, trace: Trace | None) -> None:
    if trace is not None:
        benefit = reach.rule.benefit
        # Only 满n件 tiers turn units into fen for a hint.
        by_qty = isinstance(benefit, ThresholdDiscount) and benefit.by_qty
        unit = cheapest_unit(cart, amounts, reach.lines) if by_qty else 0
        trace.measure(reach.rule.id, base_of(amounts, reach.lines), reach.qty, unit)


def apply_bundles(
    reaches: Sequence[Reach],
    units: Sequence[Sequence[Segment]],
    amounts: list[Fen],
    trace: Trace | None,
) -> list[Applied]:
    """Form complete sets, bundle by bundle; a unit belongs to one set at most."""
    applied: list[Applied] = []
    used = [0] * len(amounts)
    for reach in reaches:
        bundle = reach.rule.benefit
        assert isinstance(bundle, Bundle)
        sets = min(_units_left(units[i], used[i]) for i in reach.lines)
        weights = [0] * len(reach.lines)
        saving = 0
        for _ in range(sets):
            prices = [_unit_at(units[i], used[i]) for i in reach.lines]
            if sum(prices) <= bundle.price:
                break
            saving += sum(prices) - bundle.price
            for k, i in enumerate(reach.lines):
                weights[k] += prices[k]
                used[i] += 1
        if saving == 0:
            if trace is not None and trace.explaining:
                trace.note("shop", reach.rule.id, False, "no complete set that saves money")
            continue
        shares = apportion(saving, weights)
        for i, share in zip(reach.lines, shares, strict=True):
            amounts[i] -= share
        applied.append(
            Applied(
                reach.rule.id,
                tuple((i, s) for i, s in zip(reach.lines, shares, strict=True) if s),
                reach.rule.platform_bp,
            )
        )
        if trace is not None and trace.explaining:
            trace.note("shop", reach.rule.id, True, f"set price saves {yuan(saving)}")
    return applied


def _units_left(segments: Sequence[Segment], used: int) -> int:
    return sum(count for _, count in segments) - used


def _unit_at(segments: Sequence[Segment], position: int) -> Fen:
    for unit, count in segments:
        if position < count:
            return unit
        position -= count
    raise IndexError(position)


def apply_best_threshold(
    cart: Cart, reaches: Sequence[Reach], amounts: list[Fen], layer: str, trace: Trace | None
) -> Applied | None:
    """The largest discount among `reaches` on the current amounts; ties to the first."""
    best: tuple[Fen, Reach] | None = None
    for reach in reaches:
        measure(cart, amounts, reach, trace)
        discount = threshold_discount(cart, amounts, reach)
        if discount > 0 and (best is None or discount > best[0]):
            best = (discount, reach)
    if trace is not None and trace.explaining:
        for reach in reaches:
            if best is not None and reach is best[1]:
                continue
            reason = "beaten by " + best[1].rule.id if best else "threshold not reached"
            trace.note(layer, reach.rule.id, False, reason)
    if best is None:
        return None
    discount, reach = best
    if trace is not None and trace.explaining:
        base = base_of(amounts, reach.lines)
        trace.note(layer, reach.rule.id, True, f"{yuan(discount)} off a base of {yuan(base)}")
    return take(amounts, reach.lines, discount, reach.rule.id, reach.rule.platform_bp)


def threshold_decisions(reaches: Sequence[Reach]) -> list[list[Reach]]:
    """Platform thresholds in the order they are decided; a group where it first stands."""
    decisions: list[list[Reach]] = []
    decided: set[str] = set()
    for reach in reaches:
        group = reach.rule.group
        if group is None:
            decisions.append([reach])
        elif group not in decided:
            decided.add(group)
            decisions.append([r for r in reaches if r.rule.group == group])
    return decisions


def apply_platform_thresholds(
    cart: Cart, reaches: Sequence[Reach], amounts: list[Fen], trace: Trace | None
) -> list[Applied]:
    """Platform thresholds stack in list order; a group is decided where it first stands."""
    applied: list[Applied] = []
    for members in threshold_decisions(reaches):
        taken = apply_best_threshold(cart, members, amounts, "platform", trace)
        if taken is not None:
            applied.append(taken)
    return applied


def gifts_reached(
    cart: Cart, reaches: Sequence[Reach], amounts: Sequence[Fen], trace: Trace | None
) -> list[tuple[str, int, str]]:
    """(sku, qty, promotion id) of each gift whose threshold its lines reach."""
    given: list[tuple[str, int, str]] = []
    for reach in reaches:
        gift = reach.rule.benefit
        assert isinstance(gift, Gift)
        base = base_of(amounts, reach.lines)
        if base >= gift.threshold:
            given.append((gift.sku, gift.qty, reach.rule.id))
        if trace is not None and trace.explaining:
            reached = base >= gift.threshold
            verdict = "reached" if reached else "not reached"
            trace.note(
                reach.rule.level.value,
                reach.rule.id,
                reached,
                f"gift {gift.sku} × {gift.qty}: {yuan(base)} vs {yuan(gift.threshold)} {verdict}",
            )
    return given


def apply_packets(
    packets: Sequence[WalletReach], before: dict[str, Fen], amounts: list[Fen]
) -> dict[str, Applied]:
    """Red packets soonest expiry first, each tested on the payable before any of them."""
    applied: dict[str, Applied] = {}
    for packet in packets:
        item = packet.item
        discount = min(item.discount(before[item.id]), base_of(amounts, packet.lines))
        if discount > 0:
            applied[item.id] = take(amounts, packet.lines, discount, item.id, item.platform_bp)
    return applied
