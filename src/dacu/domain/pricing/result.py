"""What pricing returns: lines, discounts and who funds each fen of them."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from dacu.domain.cart import Cart
from dacu.domain.money import platform_parts
from dacu.domain.pricing.ledger import Applied
from dacu.domain.pricing.trace import Note
from dacu.domain.types import Fen


class Share(NamedTuple):
    """One discount's share: `amount` = `platform` + `merchant`.

    The one value for it from a quote's line to an order's line, a refund's
    clawback and the ledger. A named tuple rather than a frozen dataclass: a
    receipt holds one per rule per line, and tuples are built several times
    faster.
    """

    id: str
    amount: Fen
    platform: Fen
    merchant: Fen


# A `Share` built as the tuple it is, without the named tuple's Python-level constructor:
# several times faster, and a quote builds one per rule per line.
_share: Callable[[tuple[str, Fen, Fen, Fen]], Share] = partial(tuple.__new__, Share)


class PricedLine(NamedTuple):
    sku: str
    shop: str
    qty: int
    list_amount: Fen
    payable: Fen
    discounts: tuple[Share, ...]


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
    applied: tuple[Share, ...]
    funding_platform: Fen
    funding_merchants: Mapping[str, Fen]
    gifts: tuple[GiftLine, ...]
    hints: tuple[Hint, ...]
    warnings: tuple[str, ...]
    notes: tuple[Note, ...]
    # rule id → the campaign whose budget funds its platform share (set by the quote)
    budgets: Mapping[str, str] = field(default_factory=dict)
    # rule id → its promotion and department budget lines, drawn with the campaign's
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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
    across lines a rule's shares add up to what it took in all. Plain loops and
    running totals: every quote builds one, with a share per rule per line.
    """
    per_line, overall = _split(len(cart.lines), applied)
    merchants: dict[str, Fen] = dict.fromkeys(cart.shops, 0)
    lines = []
    list_total = payable = funding_platform = 0
    for line, shares in zip(cart.lines, per_line, strict=True):
        taken = merchant = 0
        for share in shares:
            taken += share.amount
            merchant += share.merchant
        merchants[line.shop] += merchant
        list_amount = line.price * line.qty
        list_total += list_amount
        payable += list_amount - taken
        lines.append(
            PricedLine(
                line.sku, line.shop, line.qty, list_amount, list_amount - taken, tuple(shares)
            )
        )
    for _, platform in overall.values():
        funding_platform += platform
    return PriceResult(
        list_total=list_total,
        payable=payable,
        exclusive=exclusive,
        used=tuple(sorted(used)),
        lines=tuple(lines),
        applied=tuple(
            Share(rule_id, amount, platform, amount - platform)
            for rule_id, (amount, platform) in overall.items()
        ),
        funding_platform=funding_platform,
        funding_merchants=merchants,
        gifts=tuple(gifts),
        hints=tuple(hints),
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def _split(size: int, applied: Sequence[Applied]) -> tuple[list[list[Share]], dict[str, list[Fen]]]:
    """Each rule's line shares split between platform and merchant: per line, and per rule."""
    per_line: list[list[Share]] = [[] for _ in range(size)]
    overall: dict[str, list[Fen]] = {}  # an item promotion falls in one record per line
    for rule_id, shares, platform_bp in applied:
        platforms = platform_parts([share for _, share in shares], platform_bp)
        amount = funded = 0
        for (index, share), platform in zip(shares, platforms, strict=True):
            per_line[index].append(_share((rule_id, share, platform, share - platform)))
            amount += share
            funded += platform
        totals = overall.get(rule_id)
        if totals is None:
            overall[rule_id] = [amount, funded]
        else:
            totals[0] += amount
            totals[1] += funded
    return per_line, overall
