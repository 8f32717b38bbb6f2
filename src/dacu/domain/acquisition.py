"""(placeholder: the growth mechanic's rules, read from the campaign file's `growth` section)."""

from dataclasses import dataclass

from dacu.domain.errors import InvalidRule
from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class Welcome:
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen


@dataclass(frozen=True, slots=True)
class Invites:
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen


@dataclass(frozen=True, slots=True)
class MerchantCodes:
    """商家码 and 商家返利 (plan 000 §1–2): what a shop earns, accrued to it and settled
    after the month (`domain/rebates.py`)."""

    budget: Fen = 0  # the budget line carved out of the campaign budget, fen
    new_member_rebate: Fen = 1000  # a member who registered with the shop's code pays a first order
    first_order_rebate: Fen = 100  # each paid first order of ≥ first_order_min at the shop
    first_order_min: Fen = 3000  # inclusive: 满30元 (含30元)

    def __post_init__(self) -> None:
        for name in ("budget", "new_member_rebate", "first_order_rebate", "first_order_min"):
            if getattr(self, name) < 0:
                raise InvalidRule(name, "must not be negative")


# Every dataclass and enum of these rules, for the compiled form of a campaign
# (`adapters/campaign_codec.py`): a class not listed here cannot be stored.
CLASSES: tuple[type, ...] = (
    Welcome,
    Invites,
    MerchantCodes,
)
ENUMS: tuple[type, ...] = ()
