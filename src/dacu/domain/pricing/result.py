"""What pricing returns: lines, discounts and who funds each fen of them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from dacu.domain.cart import Cart
from dacu.domain.money import platform_parts
from dacu.domain.pricing.ledger import Applied
from dacu.domain.pricing.trace import Note
from dacu.domain.types import Fen


class LineDiscount(NamedTuple):
    """One discount's share: `amount` = `platform` + `merchant`.

    A named tuple rather than a frozen dataclass: a receipt holds one per rule
    per line, and tuples are built several times faster.
    """

    id: str
    amount: Fen
    platform: Fen
    merchant: Fen


class PricedLine(NamedTuple):
    sku: str
    shop: str
    qty: int
    list_amount: Fen
    payable: Fen
    discounts: tuple[LineDiscount, ...]


@dataclass(frozen=True, slots=True)
class GiftLine:
    sku: str
    qty: int
    by: str


@dataclass(frozen=True, slots=True)
class Hint:
    """凑单: add `add` fen of the rule's goods to save `extra_off` more."""

    id: str
    add: Fen
    extra_off: Fen


@dataclass(frozen=True, slots=True)
class PriceResult:
    list_total: Fen
    payable: Fen
    exclusive: str | None
    used: tuple[str, ...]
    lines: tuple[PricedLine, ...]
    applied: tuple[LineDiscount, ...]
    funding_platform: Fen
    funding_merchants: Mapping[str, Fen]
    gifts: tuple[GiftLine, ...]
    hints: tuple[Hint, ...]
    warnings: tuple[str, ...]
    notes: tuple[Note, ...]

    @property
    def discount_total(self) -> Fen:
        return self.list_total - self.payable


def build_result(
    cart: Cart,
    applied: Sequence[Applied],
    *,
    exclusive: str | None,
    used: Sequence[str],
    gifts: Sequence[GiftLine],
    hints: Sequence[Hint],
    warnings: Sequence[str],
    notes: Sequence[Note],
) -> PriceResult:
    """Split every line share between platform and merchant, and add it all up.

    A rule falls on a line once at most, so each share is one line discount;
    across lines a rule's shares add up to what it took in all.
    """
    per_line: list[list[LineDiscount]] = [[] for _ in cart.lines]
    taken = [0] * len(cart.lines)
    charged = [0] * len(cart.lines)  # merchants' parts
    overall: dict[str, list[Fen]] = {}  # an item promotion falls in one record per line
    for rule_id, shares, platform_bp in applied:
        platforms = platform_parts([share for _, share in shares], platform_bp)
        amount_total = 0
        for (index, share), platform in zip(shares, platforms, strict=True):
            per_line[index].append(LineDiscount(rule_id, share, platform, share - platform))
            taken[index] += share
            charged[index] += share - platform
            amount_total += share
        totals = overall.setdefault(rule_id, [0, 0])
        totals[0] += amount_total
        totals[1] += sum(platforms)
    merchants: dict[str, Fen] = dict.fromkeys(cart.shops, 0)
    lines = []
    for index, line in enumerate(cart.lines):
        merchants[line.shop] += charged[index]
        list_amount = line.price * line.qty
        lines.append(
            PricedLine(
                line.sku,
                line.shop,
                line.qty,
                list_amount,
                list_amount - taken[index],
                tuple(per_line[index]),
            )
        )
    return PriceResult(
        list_total=sum(line.list_amount for line in lines),
        payable=sum(line.payable for line in lines),
        exclusive=exclusive,
        used=tuple(sorted(used)),
        lines=tuple(lines),
        applied=tuple(
            LineDiscount(rule_id, amount, platform, amount - platform)
            for rule_id, (amount, platform) in overall.items()
        ),
        funding_platform=sum(platform for _, platform in overall.values()),
        funding_merchants=merchants,
        gifts=tuple(gifts),
        hints=tuple(hints),
        warnings=tuple(warnings),
        notes=tuple(notes),
    )
