"""What the engine saw at each step: bases for 凑单 hints, notes for --explain."""

from dataclasses import dataclass, field

from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class Note:
    """One decision: `rule` in `layer` applied (or not) for `reason`."""

    layer: str
    rule: str
    applied: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Measure:
    """A threshold rule's running base when its step came."""

    base: Fen
    qty: int
    unit: Fen  # the cheapest current unit price among its lines


@dataclass(slots=True)
class Trace:
    """Bases are always measured (hints need them); notes are written when explaining."""

    explaining: bool = False
    notes: list[Note] = field(default_factory=list)
    measures: dict[str, Measure] = field(default_factory=dict)

    def note(self, layer: str, rule: str, applied: bool, reason: str) -> None:
        self.notes.append(Note(layer, rule, applied, reason))

    def measure(self, rule: str, base: Fen, qty: int, unit: Fen) -> None:
        self.measures[rule] = Measure(base, qty, unit)
