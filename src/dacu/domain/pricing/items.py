"""The item layer (单品级): one promotion a unit, the lowest unit price winning."""

from dataclasses import dataclass, field

from dacu.domain.benefits import FlashPrice, ItemBenefit
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.money import yuan
from dacu.domain.pricing.ledger import Applied
from dacu.domain.pricing.trace import Trace
from dacu.domain.promotions import Promotion
from dacu.domain.types import Fen

Segment = tuple[Fen, int]
"""(unit price, units) of one line, in the order the units were priced."""


@dataclass(slots=True)
class ItemPricing:
    amounts: list[Fen]
    units: list[list[Segment]]
    applied: list[Applied] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def price_items(
    cart: Cart, customer: Customer, offers: tuple[tuple[Promotion, ...], ...], trace: Trace | None
) -> ItemPricing:
    result = ItemPricing(amounts=[], units=[])
    for index, line in enumerate(cart.lines):
        if not offers[index]:  # most lines meet no item promotion at all
            result.units.append([(line.price, line.qty)])
            result.amounts.append(line.price * line.qty)
            continue
        segments = _price_line(index, line, customer, offers[index], result, trace)
        result.units.append(segments)
        result.amounts.append(sum(unit * count for unit, count in segments))
    return result


def _price_line(
    index: int,
    line: CartLine,
    customer: Customer,
    candidates: tuple[Promotion, ...],
    result: ItemPricing,
    trace: Trace | None,
) -> list[Segment]:
    priced = sorted(
        (
            (_unit_price(promotion, line.price, customer), order, promotion)
            for order, promotion in enumerate(candidates)
        ),
        key=lambda found: (found[0], found[1]),
    )
    segments: list[Segment] = []
    remaining = line.qty
    limited = 0  # units already given to promotions with a per-user limit
    for unit, _, promotion in priced:
        if remaining == 0 or unit >= line.price:
            if trace is not None and trace.explaining:
                why = "a lower price took every unit" if remaining == 0 else "no saving"
                trace.note("item", promotion.id, False, f"{line.sku}: {why}")
            continue
        units = remaining
        benefit = promotion.benefit
        if isinstance(benefit, FlashPrice) and benefit.limit_per_user is not None:
            bought = customer.bought.get(line.sku, 0)
            allowed = max(0, benefit.limit_per_user - bought - limited)
            units = min(remaining, allowed)
            limited += units
            if units < remaining:
                result.warnings.append(
                    f"{promotion.id}: limit {benefit.limit_per_user} per customer and "
                    f"{bought} bought before, so {remaining - units} of {line.qty} units "
                    f"of {line.sku} are priced without it"
                )
        if units == 0:
            if trace is not None and trace.explaining:
                trace.note("item", promotion.id, False, f"{line.sku}: per-customer limit reached")
            continue
        segments.append((unit, units))
        remaining -= units
        share = (line.price - unit) * units
        result.applied.append(Applied(promotion.id, ((index, share),), promotion.platform_bp))
        if trace is not None and trace.explaining:
            trace.note(
                "item",
                promotion.id,
                True,
                f"{line.sku}: {units} × {yuan(unit)} instead of {yuan(line.price)}",
            )
    if remaining:
        segments.append((line.price, remaining))
    return segments


def _unit_price(promotion: Promotion, price: Fen, customer: Customer) -> Fen:
    benefit = promotion.benefit
    assert isinstance(benefit, ItemBenefit), "only item kinds reach the item layer"
    return benefit.unit_price(price, customer)
