"""What a walk of the platform stage saw, rule by rule, for the search's shortcuts."""

from dataclasses import dataclass, field

from dacu.domain.regime import UNBOUNDED, Regime
from dacu.domain.types import Bp, Fen


@dataclass(slots=True)
class Tally:
    """States of a run of rules, the least room any has, and their summed rates."""

    states: list[object] = field(default_factory=list)
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


@dataclass(slots=True)
class Profile:
    """The platform layer on one set of amounts: its all-lines prefix, and the rest."""

    prefix: Tally = field(default_factory=Tally)
    rest: Tally = field(default_factory=Tally)
    unsettled: bool = False  # a group's winner could turn on rates

    def tally(self, in_prefix: bool) -> Tally:
        return self.prefix if in_prefix else self.rest
