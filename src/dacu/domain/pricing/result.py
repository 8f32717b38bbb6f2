"""What pricing returns: lines, discounts and who funds each fen of them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from dacu.domain.cart import Cart
from dacu.domain.money import split_funding
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
    """Split every line share between platform and merchant, and add it all up."""
    per_line: list[dict[str, list[Fen]]] = [{} for _ in cart.lines]
    overall: dict[str, list[Fen]] = {}
    for rule_id, shares, platform_bp in applied:
        total = overall.get(rule_id)
        if total is None:
            total = overall[rule_id] = [0, 0]
        for index, share in shares:
            platform, _ = split_funding(share, platform_bp)
            parts = per_line[index].get(rule_id)
            if parts is None:
                per_line[index][rule_id] = [share, platform]
            else:
                parts[0] += share
                parts[1] += platform
            total[0] += share
            total[1] += platform
    merchants: dict[str, Fen] = dict.fromkeys(cart.shops, 0)
    lines = []
    for line, on_line in zip(cart.lines, per_line, strict=True):
        discounts = tuple(
            [
                LineDiscount(rule_id, amount, platform, amount - platform)
                for rule_id, (amount, platform) in on_line.items()
            ]
        )
        taken = platform_part = 0
        for amount, platform in on_line.values():
            taken += amount
            platform_part += platform
        merchants[line.shop] += taken - platform_part
        list_amount = line.price * line.qty
        lines.append(
            PricedLine(line.sku, line.shop, line.qty, list_amount, list_amount - taken, discounts)
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
        funding_platform=sum(parts[1] for parts in overall.values()),
        funding_merchants=merchants,
        gifts=tuple(gifts),
        hints=tuple(hints),
        warnings=tuple(warnings),
        notes=tuple(notes),
    )
