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

    REGISTRATION_REWARD = "registration_reward"  # the welcome red packet
    INVITE_REWARD = "invite_reward"
    MERCHANT_REBATE = "merchant_rebate"
    SHARE_REWARD = "share_reward"
    LOTTERY_DRAW = "lottery_draw"
    COIN_EARN = "coin_earn"
    COIN_REDEMPTION = "coin_redemption"
    TASK_REWARD = "task_reward"


@dataclass(frozen=True, slots=True)
class RiskQuery:
    action: Action
    customer_id: str  # who gets the reward (a shop's id for a merchant rebate)
    at: datetime
    campaign_id: str | None = None
    amount: Fen = 0  # the reward's cash value, when it has one
    subject: str = ""  # what the reward is for: an invitee, an order, a prize
    context: dict[str, str] = field(default_factory=dict)  # device, address … when known


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
