"""The risk review queue (风控审核): every reward held for review, and every appeal, in one
place for the risk role.

A held subject (a lottery prize, a redemption, a merchant rebate, an acquisition reward, a
coin award, and — as the money paths hold them — checkout rewards, refunds and payouts)
enters the queue once, under its own key (`ReviewItem.id` is "<kind>:<key>"). A risk person
decides it once: approve (the owning service releases it), reject (refused, nothing paid)
or reject and blacklist the account and/or what it was seen with, until a date. A customer
or merchant may appeal a held subject of its own (the item is flagged an appeal) or a block
(a `BLOCK` item of its own); one appeal stands open per subject.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.types import MAX_FEN, Fen

MAX_NOTE = 1000
MAX_KEY = 200
MAX_TEXT = 64


class ReviewKind(StrEnum):
    REWARD = "reward"  # a prize or redemption of the rewards service (lottery, 换购)
    REBATE = "rebate"  # a merchant rebate (商家返利)
    ACQUISITION = "acquisition"  # a welcome, invite or share reward (拉新)
    COIN_AWARD = "coin_award"  # coins earned (智慧币)
    CHECKOUT_REWARD = "checkout_reward"
    REFUND = "refund"
    PAYOUT = "payout"  # a settlement payout to a shop
    BLOCK = "block"  # an appeal against a block: nothing is held


class ReviewStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"  # released through the owning service
    REJECTED = "rejected"  # refused: nothing paid


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REJECT_BLACKLIST = "reject_blacklist"  # refused, and the account or its links listed

    @property
    def status(self) -> ReviewStatus:
        return ReviewStatus.APPROVED if self is Decision.APPROVE else ReviewStatus.REJECTED


class UnknownRiskReview(NotFound):
    """No review item has that id (or the caller may not see it: the same answer)."""

    code = ErrorCode.UNKNOWN_RISK_REVIEW
    noun = "review item"


class RiskReviewState(DomainError):
    """Decided already (by whoever decided first), or an appeal stands open."""

    code: ClassVar[ErrorCode] = ErrorCode.RISK_REVIEW_STATE


@dataclass(frozen=True, slots=True)
class Held:
    """What the risk engine or a service hands the queue: the held subject."""

    kind: ReviewKind
    key: str  # the subject's own key in its owning service
    customer_id: str  # who would be paid (a shop's id for a rebate or payout)
    at: datetime
    amount: Fen = 0
    campaign_id: str = ""
    reason: str = ""  # the risk decision's reason code
    score: int = 0  # 0–1000
    rules: tuple[str, ...] = ()  # the rules that fired
    shop: str = ""  # the shop it concerns, when it does

    def checked(self) -> "Held":
        key = self.key.strip()
        if not key or len(key) > MAX_KEY or not key.isprintable():
            raise InvalidRule("key", f"send 1 to {MAX_KEY} printable characters")
        if not self.customer_id or len(self.customer_id) > MAX_TEXT:
            raise InvalidRule("customer_id", f"send 1 to {MAX_TEXT} characters")
        for name, value in (("campaign_id", self.campaign_id), ("shop", self.shop)):
            if len(value) > MAX_TEXT or not value.isprintable():
                raise InvalidRule(name, f"at most {MAX_TEXT} printable characters")
        if not 0 <= self.amount <= MAX_FEN:
            raise InvalidRule("amount", "must be a non-negative amount of fen")
        if not 0 <= self.score <= 1000:
            raise InvalidRule("score", "must be between 0 and 1000")
        rules = tuple(rule[:MAX_TEXT] for rule in self.rules[:20])
        return replace(self, key=key, reason=self.reason[:MAX_TEXT], rules=rules)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    id: str
    kind: ReviewKind
    key: str
    customer_id: str
    created_at: datetime
    amount: Fen = 0
    campaign_id: str = ""
    reason: str = ""
    score: int = 0
    rules: tuple[str, ...] = ()
    shop: str = ""
    status: ReviewStatus = ReviewStatus.OPEN
    appeal: bool = False  # an appeal by the customer or merchant
    appeal_by: str = ""
    appeal_reason: str = ""
    appealed_at: datetime | None = None
    decision: Decision | None = None
    decided_by: str = ""
    decided_at: datetime | None = None
    note: str = ""
    blacklisted: tuple[str, ...] = ()  # "<kind>:<masked value>" listed with the decision

    @property
    def subject(self) -> str:
        return f"{self.kind.value}:{self.key}"

    def decided(
        self, decision: Decision, by: str, note: str, now: datetime, listed: tuple[str, ...] = ()
    ) -> "ReviewItem":
        self.ensure_open()
        return replace(
            self,
            status=decision.status,
            decision=decision,
            decided_by=by,
            decided_at=now,
            note=text("note", note, MAX_NOTE, required=decision is not Decision.APPROVE),
            blacklisted=listed,
        )

    def appealed(self, by: str, reason: str, now: datetime) -> "ReviewItem":
        self.ensure_open()
        if self.appeal:
            raise RiskReviewState(f"an appeal of {self.id} stands open already", "subject")
        reason = text("reason", reason, MAX_NOTE, required=True)
        return replace(self, appeal=True, appeal_by=by, appeal_reason=reason, appealed_at=now)

    def ensure_open(self) -> None:
        if self.status is not ReviewStatus.OPEN:
            who = f" by {self.decided_by}" if self.decided_by else ""
            raise RiskReviewState(f"{self.id} was {self.status.value} already{who}", "status")


def held_item(held: Held) -> ReviewItem:
    return ReviewItem(
        id=f"{held.kind.value}:{held.key}",
        kind=held.kind,
        key=held.key,
        customer_id=held.customer_id,
        created_at=held.at,
        amount=held.amount,
        campaign_id=held.campaign_id,
        reason=held.reason,
        score=held.score,
        rules=held.rules,
        shop=held.shop,
    )


def block_appeal(item_id: str, customer_id: str, reason: str, now: datetime) -> ReviewItem:
    """A customer's appeal against a block: an item of its own, nothing held."""
    return ReviewItem(
        id=f"block:{item_id}",
        kind=ReviewKind.BLOCK,
        key=customer_id,
        customer_id=customer_id,
        created_at=now,
        reason="appeal",
        appeal=True,
        appeal_by=customer_id,
        appeal_reason=text("reason", reason, MAX_NOTE, required=True),
        appealed_at=now,
    )


def mask(value: str) -> str:
    """An identifier as the console shows it: enough to compare, not to read."""
    if len(value) <= 4:
        return "*" * len(value)
    keep = 2 if len(value) < 10 else 3
    return value[:keep] + "*" * min(len(value) - keep - 2, 6) + value[-2:]


def text(field: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidRule(field, "must not be empty")
    if len(value) > limit:
        raise InvalidRule(field, f"at most {limit} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidRule(field, "must not hold control characters")
    return value
