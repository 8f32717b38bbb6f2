"""How coins (智慧币, plan 000 §4) are earned in a campaign: the file's `growth.coins`.

1 coin per daily sign-in, 1 per daily task done, 5 for a full calendar month
of daily tasks, 1 per whole yuan paid (refunds take back the coins of the
refunded yuan), 2 per invited member. Coins have a cash value to the
platform — `value_coins` coins are worth `value_fen` fen (1500 → ¥10 in the
plan) — which is what the coin liability is and what every coin given draws
from the campaign's `coins` budget line, exactly:

    worth(n) = floor(n × value_fen / value_coins)
    a grant of k coins, the campaign's net coins given going from n to n + k,
    draws worth(n + k) − worth(n) fen

so however the coins are split into grants, the line has drawn exactly
worth(all coins given): never a fen more, never a fen less. Coins taken back
by refunds give the same difference back.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dacu.domain.errors import InvalidRule
from dacu.domain.types import Fen

YUAN = 100  # fen in a yuan


class Award(StrEnum):
    """What became of one earning (once per key, recorded whatever it was)."""

    GIVEN = "given"  # in the ledger
    HELD = "held"  # the risk check asked for a review: recorded, no coins yet
    BLOCKED = "blocked"  # the risk check refused
    BUDGET_SPENT = "budget_spent"  # the coins budget line is spent: no coins
    UNVERIFIED = "unverified"  # not a phone-verified member: no coins
    NOTHING = "nothing"  # nothing to give (no whole yuan, a rule worth 0 coins)
    TAKEN = "taken"  # a refund's take-back


@dataclass(frozen=True, slots=True)
class Earning:
    key: str
    status: Award
    coins: int = 0  # what this key gave (or would have given)
    at: datetime | None = None

    @property
    def given(self) -> bool:
        return self.status is Award.GIVEN


@dataclass(frozen=True, slots=True)
class CoinRules:
    budget: Fen = 0  # the `coins` budget line carved out of the campaign budget, fen
    per_sign_in: int = 1
    per_task: int = 1
    per_full_month: int = 5
    per_yuan: int = 1
    per_invite: int = 2
    value_coins: int = 1500  # this many coins …
    value_fen: Fen = 1000  # … are worth this many fen

    def __post_init__(self) -> None:
        for name in ("per_sign_in", "per_task", "per_full_month", "per_yuan", "per_invite"):
            if getattr(self, name) < 0:
                raise InvalidRule(name, "coins per deed are not negative")
        if self.value_coins <= 0:
            raise InvalidRule("value_coins", "at least one coin")
        if self.value_fen < 0:
            raise InvalidRule("value_fen", "not negative")

    def worth(self, coins: int) -> Fen:
        """The cash value of `coins` (≥ 0), rounded down to the fen."""
        return max(coins, 0) * self.value_fen // self.value_coins

    def draw(self, before: int, after: int) -> Fen:
        """What the line is drawn by (negative: given back) as the campaign's net coins
        given move from `before` to `after`."""
        return self.worth(after) - self.worth(before)

    def for_paid(self, paid: Fen) -> int:
        """Coins for an order's paid amount: per whole yuan, floor."""
        return max(paid, 0) // YUAN * self.per_yuan

    def refund_take(self, paid: Fen, refunded_before: Fen, refunded_after: Fen) -> int:
        """The coins a refund takes back when the order's refunded total goes from
        `refunded_before` to `refunded_after`: the coins of the yuan no longer paid.
        Cumulative, so the take-backs of any partial refunds add up to at most what
        the order earned."""
        kept_before = self.for_paid(paid - min(refunded_before, paid))
        kept_after = self.for_paid(paid - min(refunded_after, paid))
        return max(kept_before - kept_after, 0)


@dataclass(frozen=True, slots=True)
class CoinFigures:
    """A campaign's coins as finance reads them (the liability is what the outstanding
    coins are worth, to the fen)."""

    campaign_id: str
    outstanding: int  # coins earned in the campaign less taken back and spent against it
    liability: Fen
    given: int  # net coins given, what the budget line was drawn for
    drawn: Fen  # the line drawn by them
    budget: Fen
    earned_today: int
    by_reason: tuple[tuple[str, int], ...]  # (reason, net coins)
    by_status: tuple[tuple[str, int], ...]  # (award status, earnings)
    sign_ins: tuple[tuple[str, int], ...]  # (day, members who signed in)
    tasks: tuple[tuple[str, str, int], ...]  # (day, task id, members who did it)
    all_done: tuple[tuple[str, int], ...]  # (day, members who did every task)


# Every dataclass and enum of these rules, for the compiled form of a campaign
# (`adapters/campaign_codec.py`): a class not listed here cannot be stored.
CLASSES: tuple[type, ...] = (CoinRules,)
ENUMS: tuple[type, ...] = ()
