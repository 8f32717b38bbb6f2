"""Running amounts per line, and the record of each discount taken from them."""

from collections.abc import Sequence
from typing import NamedTuple

from dacu.domain.money import apportion
from dacu.domain.types import Bp, Fen


class Applied(NamedTuple):
    """A discount as it fell on the lines: (line index, share) pairs.

    A named tuple: the search builds many and frozen dataclasses build slowly.
    """

    id: str
    shares: tuple[tuple[int, Fen], ...]
    platform_bp: Bp

    @property
    def amount(self) -> Fen:
        return sum(share for _, share in self.shares)


def base_of(amounts: Sequence[Fen], lines: Sequence[int]) -> Fen:
    return sum(map(amounts.__getitem__, lines))


def take(
    amounts: list[Fen], lines: Sequence[int], discount: Fen, rule_id: str, platform_bp: Bp
) -> Applied:
    """Take an order-level `discount` off `lines` in proportion to their running amounts."""
    shares = apportion(discount, [amounts[i] for i in lines])
    for i, share in zip(lines, shares, strict=True):
        amounts[i] -= share
    return Applied(
        rule_id, tuple((i, s) for i, s in zip(lines, shares, strict=True) if s), platform_bp
    )
