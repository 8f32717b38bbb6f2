"""(placeholder: the growth mechanic's rules, read from the campaign file's `growth` section)."""

from dataclasses import dataclass

from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class Welcome:
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen


@dataclass(frozen=True, slots=True)
class Invites:
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen


@dataclass(frozen=True, slots=True)
class MerchantCodes:
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen


# Every dataclass and enum of these rules, for the compiled form of a campaign
# (`adapters/campaign_codec.py`): a class not listed here cannot be stored.
CLASSES: tuple[type, ...] = (
    Welcome,
    Invites,
    MerchantCodes,
)
ENUMS: tuple[type, ...] = ()
