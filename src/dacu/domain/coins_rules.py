"""(placeholder: the growth mechanic's rules, read from the campaign file's `growth` section)."""

from dataclasses import dataclass

from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class CoinRules:
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen


# Every dataclass and enum of these rules, for the compiled form of a campaign
# (`adapters/campaign_codec.py`): a class not listed here cannot be stored.
CLASSES: tuple[type, ...] = (CoinRules,)
ENUMS: tuple[type, ...] = ()
