"""Risk decisions: what the risk check says of a deed that moves money.

Every growth reward (red packets, invite rewards, merchant rebates, lottery
draws, coin redemptions) asks the `RiskCheck` port (`services/ports/risk.py`)
before it pays out. The check answers allow, review or block with a stable
reason code and a score; the platform's default allows everything, and the
risk-control rules fill it in. "Review" holds the reward (never the
customer's purchase) until someone decides; "block" refuses with a code that
tells an attacker nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode
from dacu.domain.types import Fen


class Verdict(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


class Action(StrEnum):
    """The deeds the risk check is asked about."""

    # where money may go: every one carries the actor's identity (`Identity`)
    REGISTRATION = "registration"  # a phone verified: a new member
    LOGIN = "login"
    COUPON_CLAIM = "coupon_claim"
    CHECKOUT = "checkout"
    PAYMENT = "payment"
    REFUND = "refund"
    FLASH_ATTEMPT = "flash_attempt"
    PAYOUT = "payout"  # a settlement payout to a merchant
    # growth rewards
    REGISTRATION_REWARD = "registration_reward"  # the welcome red packet
    INVITE_REWARD = "invite_reward"
    MERCHANT_REBATE = "merchant_rebate"
    SHARE_REWARD = "share_reward"
    LOTTERY_DRAW = "lottery_draw"
    COIN_EARN = "coin_earn"
    COIN_REDEMPTION = "coin_redemption"
    TASK_REWARD = "task_reward"


class LinkKind(StrEnum):
    """What two accounts may share that ties them together (关联)."""

    DEVICE = "device"  # the client's device id
    IP = "ip"  # the connection's address
    ADDRESS = "address"  # a delivery address, normalised
    PAYMENT_ACCOUNT = "payment_account"  # the paying account at the payment channel
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class Identity:
    """Where a deed came from, as the server saw it (never as a client claims a fact the
    server can know: the address is the connection's, the payment account the channel's)."""

    device: str = ""
    ip: str = ""
    address: str = ""
    payment_account: str = ""
    phone: str = ""

    def links(self) -> tuple[tuple[LinkKind, str], ...]:
        """The non-empty identifiers, each with its kind."""
        found = (
            (LinkKind.DEVICE, self.device),
            (LinkKind.IP, self.ip),
            (LinkKind.ADDRESS, self.address),
            (LinkKind.PAYMENT_ACCOUNT, self.payment_account),
            (LinkKind.PHONE, self.phone),
        )
        return tuple((kind, value) for kind, value in found if value)


NOBODY = Identity()


@dataclass(frozen=True, slots=True)
class RiskQuery:
    action: Action
    customer_id: str  # who gets the reward (a shop's id for a merchant rebate)
    at: datetime
    campaign_id: str | None = None
    amount: Fen = 0  # the reward's cash value, when it has one
    subject: str = ""  # what the reward is for: an invitee, an order, a prize
    context: dict[str, str] = field(default_factory=dict)  # what else is known: shop, …
    identity: Identity = NOBODY  # the device, address, delivery address … of the deed


@dataclass(frozen=True, slots=True)
class RiskDecision:
    verdict: Verdict
    reason: str = ""  # a stable code: "ok", "blacklisted", "cluster_size" …
    score: int = 0  # 0–1000

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW


ALLOWED = RiskDecision(Verdict.ALLOW, "ok", 0)


class RiskBlocked(DomainError):
    """The risk check refused the reward. The message says nothing more."""

    code: ClassVar[ErrorCode] = ErrorCode.RISK_BLOCKED

    def __init__(self) -> None:
        super().__init__("refused", None)
