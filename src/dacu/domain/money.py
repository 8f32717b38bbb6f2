"""Rounding and apportioning of money: the only place either happens."""

import re
from collections.abc import Sequence

from dacu.domain.errors import InvalidRule
from dacu.domain.types import FULL_BP, Bp, Fen


def apply_rate(amount: Fen, rate: Bp) -> Fen:
    """`rate` of `amount`, rounded half up to the fen."""
    return (amount * rate + FULL_BP // 2) // FULL_BP


def apportion(total: Fen, weights: Sequence[Fen]) -> list[Fen]:
    """Share `total` in proportion to `weights` by the largest-remainder rule.

    Each share is floor(total * w / W); the fen left over go one each to the
    largest remainders, ties to the earlier position. Shares always sum to
    `total`, and a zero weight never receives anything.
    """
    whole = sum(weights)
    if total == 0:
        return [0] * len(weights)
    if whole <= 0:
        raise ValueError("cannot apportion a non-zero amount over zero weights")
    shares = [total * weight // whole for weight in weights]
    left = total - sum(shares)
    if left:
        remainders = [total * weight % whole for weight in weights]
        # A stable sort keeps equal remainders in line order: ties go to the earlier line.
        order = sorted(range(len(weights)), key=remainders.__getitem__, reverse=True)
        for i in order[:left]:
            shares[i] += 1
    return shares


def platform_parts(shares: Sequence[Fen], platform_bp: Bp) -> list[Fen]:
    """The platform's part of each line share, rounded half up; merchants pay the rest."""
    return [(share * platform_bp + FULL_BP // 2) // FULL_BP for share in shares]


def yuan(amount: Fen) -> str:
    """¥ text of an amount of fen, for people: 12345 -> '123.45'."""
    sign = "-" if amount < 0 else ""
    whole, fen = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{fen:02d}"


_YUAN = re.compile(r"([0-9]{1,3}(?:,[0-9]{3}){1,4}|[0-9]{1,13})(?:\.([0-9]{1,2}))?")


def fen_of_yuan(text: str, field: str) -> Fen:
    """Fen of an amount people type in yuan ('1,234.5' -> 123450); two places at most."""
    found = _YUAN.fullmatch(text.strip().removeprefix("¥").strip())
    if found is None:
        raise InvalidRule(field, f"{text!r} is not an amount in yuan (at most two places)")
    whole, part = found.group(1).replace(",", ""), (found.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(part)
