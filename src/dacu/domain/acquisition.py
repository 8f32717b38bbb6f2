"""Acquisition (拉新, plan 000 §1): the welcome red packet (新人红包), invite codes
(邀请码), merchant codes (商家码) and share-to-get coupons (分享得券).

The campaign file's `growth.welcome`, `growth.invites` and `growth.merchant_codes`
say which coupon template each gives and how far; the rules of codes (their
alphabet, how a typed code is read) and of who may be rewarded for whom live here.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule
from dacu.domain.types import Fen

# No 0/O, 1/I/L, U: a code read aloud or copied by hand is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
INVITE_CODE_LENGTH = 8  # 30^8 ≈ 6.6e11: not guessed by trying
MERCHANT_CODE_LENGTH = 8
MAX_CODE = 32  # what a typed code may be before it is read at all


@dataclass(frozen=True, slots=True)
class Welcome:
    """新人红包: a new member's red packet, on their phone's verification."""

    coupon: str = ""  # the coupon template (a red packet of the campaign)
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen

    def __post_init__(self) -> None:
        if not self.coupon:
            raise InvalidRule("coupon", "name the red packet's coupon template")


@dataclass(frozen=True, slots=True)
class Invites:
    """邀请码 and 分享得券: what an inviter gets per new member, and a sharer per share."""

    coupon: str = ""  # the inviter's red packet per invitee
    coins: int = 0  # 智慧币 per invitee
    max_rewarded: int = 0  # invitees rewarded per inviter (0: no cap)
    share_coupon: str = ""  # the sharer's coupon per new member brought by a share
    share_daily_cap: int = 0  # share rewards per sharer per day (0: no cap)
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen

    def __post_init__(self) -> None:
        if self.coins < 0:
            raise InvalidRule("coins", "must not be negative")
        if self.max_rewarded < 0 or self.share_daily_cap < 0:
            raise InvalidRule("max_rewarded", "caps must not be negative")
        if not (self.coupon or self.coins or self.share_coupon):
            raise InvalidRule("coupon", "an invite gives a coupon, coins or a share coupon")


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


class Mechanic(StrEnum):
    WELCOME = "welcome"
    INVITE = "invite"
    SHARE = "share"


class Outcome(StrEnum):
    """What became of one reward decision."""

    ISSUED = "issued"  # the coupon is in the wallet
    HELD = "held"  # the risk check asked for a review: nothing given yet
    BLOCKED = "blocked"  # the risk check refused
    BUDGET_SPENT = "budget_spent"  # the campaign's budget or the mechanic's line is spent
    OUT_OF_STOCK = "out_of_stock"  # the template has no coupons left
    CAPPED = "capped"  # the inviter's or sharer's cap is reached
    GRANTING = "granting"  # decided and drawn; the coupon is on its way
    REFUSED = "refused"  # the coupon could not be issued for another reason


SETTLED = frozenset(set(Outcome) - {Outcome.GRANTING})


class CodeNote(StrEnum):
    """What the sign-in made of a code given with it."""

    ACCEPTED = "accepted"
    UNKNOWN = "unknown"  # no such code: registered all the same
    OWN = "own"  # one's own invite code
    NOT_NEW = "not_new"  # the phone was a member already
    SUPERSEDED = "superseded"  # another code given with it came first


class ReferralKind(StrEnum):
    INVITE = "invite"
    MERCHANT = "merchant"


class ShareTarget(StrEnum):
    SKU = "sku"
    VENUE = "venue"


@dataclass(frozen=True, slots=True)
class SignUpCodes:
    """The codes a sign-in body may carry; honoured only for a new member."""

    invite_code: str | None = None
    merchant_code: str | None = None
    share: str | None = None

    def given(self) -> dict[str, str]:
        found = {
            "invite_code": self.invite_code,
            "merchant_code": self.merchant_code,
            "share": self.share,
        }
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True, slots=True)
class Referral:
    customer_id: str  # the invitee
    kind: ReferralKind
    referrer: str  # a customer id, or a shop id
    campaign_id: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Share:
    token: str
    sharer: str
    target: ShareTarget
    target_id: str
    day: str  # the Shanghai day it was made, YYYY-MM-DD
    opens: int = 0


@dataclass(frozen=True, slots=True)
class RewardRecord:
    key: str
    mechanic: Mechanic
    campaign_id: str
    customer_id: str  # who is rewarded
    subject: str  # for whom: the new member
    outcome: Outcome
    coupon: str
    value: Fen
    at: datetime


class UnknownShare(DomainError):
    """No share has that token."""

    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_SHARE


def normal_code(typed: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes."""
    return "".join(typed[:MAX_CODE].split()).replace("-", "").upper()


def well_formed(code: str, length: int) -> bool:
    return len(code) == length and all(c in CODE_ALPHABET for c in code)


def face_value(off: Fen | None, max_off: Fen | None) -> Fen:
    """What a coupon may take off at most: its cost to the budget when redeemed."""
    return off if off is not None else (max_off or 0)


def first_referrer(codes: SignUpCodes) -> str | None:
    """Which code names the referrer: a member has one, the first given wins."""
    if codes.invite_code:
        return "invite_code"
    if codes.merchant_code:
        return "merchant_code"
    return None


def reward_key(mechanic: Mechanic, campaign_id: str, subject: str) -> str:
    """One reward per mechanic, campaign and new member: retries and races find it."""
    return f"{mechanic.value}:{campaign_id}:{subject}"


# Every dataclass and enum of these rules, for the compiled form of a campaign
# (`adapters/campaign_codec.py`): a class not listed here cannot be stored.
CLASSES: tuple[type, ...] = (
    Welcome,
    Invites,
    MerchantCodes,
)
ENUMS: tuple[type, ...] = ()
