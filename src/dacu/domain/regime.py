"""How a rule behaves near a base: the facts the wallet search's shortcut relies on."""

from collections.abc import Sequence
from typing import NamedTuple

from dacu.domain.types import FULL_BP, Bp, Fen


class Regime(NamedTuple):
    """How a threshold rule behaves near one base, for the wallet search's shortcut.

    Within `margin` fen of the base either way the rule stays in the same
    `state` (same tier, same multiple, same cap), and its discount moves by at
    most `rate` basis points of the base's move (10000: it moves one for one).
    """

    state: tuple[object, ...]
    margin: Fen
    rate: Bp


UNBOUNDED: Fen = 10**18


def tier_margin(base: Fen, needs: Sequence[int]) -> Fen:
    """Fen the base can move before it reaches another tier of `needs` (ascending)."""
    down = up = UNBOUNDED
    for need in needs:
        if need <= base:
            down = base - need
        else:
            up = need - 1 - base
            break
    return min(down, up)


def cap_margin(raw: Fen, cap: Fen | None, slope_bp: Bp) -> Fen:
    """Fen the base can move before a rate-based discount crosses its cap."""
    if cap is None or slope_bp == 0:
        return UNBOUNDED
    return abs(cap - raw) * FULL_BP // slope_bp
