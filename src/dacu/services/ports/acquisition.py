"""What acquisition (拉新) keeps: codes, referrals, share links, and each reward decided
once per key with its caps and budget line drawn in the same transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.acquisition import (
    Outcome,
    Referral,
    ReferralKind,
    RewardRecord,
    Share,
    ShareTarget,
    SignUpCodes,
)
from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class Draw:
    """A budget line drawn by a reward: its id, the amount, the line's budget."""

    line: str
    amount: Fen
    base: Fen


@dataclass(frozen=True, slots=True)
class Cap:
    """A counter a reward counts against: its key and the most it may reach."""

    key: str
    limit: int


@dataclass(frozen=True, slots=True)
class Figures:
    """One campaign's acquisition as operators watch it."""

    outcomes: dict[str, dict[str, int]]  # mechanic → outcome → rewards
    top_inviters: list[tuple[str, int]]  # (customer, invitees), most first
    invitees: int  # members invited under the campaign
    merchant_signups: list[tuple[str, int]]  # (shop, new members), most first
    depth: int  # the deepest invite chain among the campaign's invitees
    verified: int  # new members (phone verified) since the campaign's start


class AcquisitionStore(Protocol):
    def invite_code(self, customer_id: str, make: Callable[[], str], at: datetime) -> str:
        """The member's code, made (with `make`, again on a clash) the first time."""
        ...

    def merchant_code(self, shop_id: str, make: Callable[[], str], at: datetime) -> str: ...

    def owner_of(self, kind: ReferralKind, code: str) -> str | None:
        """The member (invite) or shop (merchant) of a stored code; None if unknown."""
        ...

    def refer(self, referral: Referral) -> bool:
        """Record who brought the member in, once: False if they had a referrer."""
        ...

    def referral(self, customer_id: str) -> Referral | None: ...

    def invitees(self, referrer: str, limit: int = 200) -> list[Referral]:
        """The members `referrer` invited, newest first."""
        ...

    def invitee_count(self, referrer: str) -> int: ...

    def known(self, customer_id: str) -> bool:
        """Whether a customer has that id."""
        ...

    def share(self, share: Share, at: datetime) -> Share:
        """The sharer's link for the target and day: this one, or the one made before."""
        ...

    def opened(self, token: str) -> Share | None:
        """Count one opening of the link; None if no link has that token."""
        ...

    def find_share(self, token: str) -> Share | None: ...

    def decide(
        self, record: RewardRecord, cap: Cap | None, draw: Draw | None
    ) -> tuple[RewardRecord, bool]:
        """Record the key's decision once. A GRANTING record counts against `cap` and draws
        `draw` in the same transaction (CAPPED or BUDGET_SPENT if either would pass its
        limit). A key decided before returns what was recorded then, and False."""
        ...

    def settle(self, key: str, outcome: Outcome) -> None:
        """A GRANTING reward's end; what it drew given back unless it was issued."""
        ...

    def stuck(self, before: datetime, limit: int = 500) -> list[RewardRecord]:
        """Rewards still GRANTING that were decided before `before` (a crash between)."""
        ...

    def rewards_of(self, customer_id: str) -> list[RewardRecord]: ...

    def figures(self, campaign_id: str, since: datetime, full: bool = True) -> Figures:
        """With `full` False, only the outcomes and the new verified members (a card)."""
        ...


class NewMembers(Protocol):
    """What registration tells acquisition after a phone is verified."""

    def joined(
        self, customer_id: str, new: bool, codes: SignUpCodes, at: datetime
    ) -> dict[str, str]:
        """Capture the codes and give the welcome rewards; each code given → its note."""
        ...


__all__ = ["AcquisitionStore", "Cap", "Draw", "Figures", "NewMembers", "ShareTarget"]
