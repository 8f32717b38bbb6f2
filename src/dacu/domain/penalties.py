"""Merchant charges recorded by operators: violation penalties (违规罚款) and the
main-venue ad spend whose share comes back as a rebate (广告费返现).

A penalty debits the shop's `penalty` account to the platform's penalty income
(one PENALTY entry, `penalty:<id>`); withdrawn by an operator it is reversed by
a second entry (`penalty:<id>:withdrawn`), never erased. An ad spend record
earns floor(spend × rate_bp / 10000), cut so the shop's rebates in the campaign
never pass the policy's cap (`ad_rebate:<campaign>:<shop>:<reference>`).
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, Platform, merchant, transfer
from dacu.domain.settlement_policy import AdRebate
from dacu.domain.types import FULL_BP, MAX_FEN, Fen

MAX_REASON = 500
MAX_EVIDENCE = 4000


class PenaltyKind(StrEnum):
    BRUSHING = "brushing"  # 刷单
    FALSE_SHIPMENT = "false_shipment"  # 虚假发货
    LATE_SHIPMENT = "late_shipment"  # 延迟发货
    OTHER = "other"  # 其他


class PenaltyStatus(StrEnum):
    RECORDED = "recorded"  # 已处罚
    WITHDRAWN = "withdrawn"  # 已撤销


class UnknownPenalty(NotFound):
    noun = "penalty"


class NoAdRebate(DomainError):
    """The campaign has no ad-rebate policy."""

    code: ClassVar[ErrorCode] = ErrorCode.INVALID


@dataclass(frozen=True, slots=True)
class Penalty:
    id: str
    campaign_id: str
    shop: str
    kind: PenaltyKind
    amount: Fen
    reason: str
    evidence: str
    recorded_by: str
    at: datetime
    status: PenaltyStatus = PenaltyStatus.RECORDED
    withdrawn_by: str = ""
    withdrawn_at: datetime | None = None
    withdraw_reason: str = ""

    def __post_init__(self) -> None:
        if not 0 < self.amount <= MAX_FEN:
            raise InvalidRule("amount", f"must be between 1 and {MAX_FEN} fen")
        if not self.reason.strip() or len(self.reason) > MAX_REASON:
            raise InvalidRule("reason", f"must be 1 to {MAX_REASON} characters")
        if len(self.evidence) > MAX_EVIDENCE:
            raise InvalidRule("evidence", f"at most {MAX_EVIDENCE} characters")
        if not _plain_text(self.reason, ""):
            raise InvalidRule("reason", "no control characters")
        if not _plain_text(self.evidence, "\n\r\t"):
            raise InvalidRule("evidence", "no control characters but line breaks and tabs")

    def withdraw(self, by: str, reason: str, now: datetime) -> "Penalty":
        """Withdrawn (撤销); withdrawing twice is the same withdrawal."""
        if self.status is PenaltyStatus.WITHDRAWN:
            return self
        if not reason.strip() or len(reason) > MAX_REASON or not _plain_text(reason, ""):
            raise InvalidRule("reason", f"must be 1 to {MAX_REASON} characters, no control")
        return replace(
            self,
            status=PenaltyStatus.WITHDRAWN,
            withdrawn_by=by,
            withdrawn_at=now,
            withdraw_reason=reason.strip(),
        )


def _plain_text(text: str, allowed: str) -> bool:
    """No control characters (C0, DEL, C1) but those `allowed`."""
    return all(not (ord(c) < 32 or 127 <= ord(c) < 160) or c in allowed for c in text)


def penalty_entry(penalty: Penalty) -> Entry:
    return Entry(
        f"penalty:{penalty.id}",
        EntryKind.PENALTY,
        penalty.at,
        transfer(
            merchant(penalty.shop, MerchantAccount.PENALTY),
            Platform.PENALTY_INCOME.value,
            penalty.amount,
            penalty.campaign_id,
        ),
        {"penalty_id": penalty.id, "shop": penalty.shop, "kind": penalty.kind.value},
        penalty.reason[:200],
    )


def withdrawal_entry(penalty: Penalty) -> Entry:
    assert penalty.withdrawn_at is not None
    return Entry(
        f"penalty:{penalty.id}:withdrawn",
        EntryKind.PENALTY,
        penalty.withdrawn_at,
        transfer(
            Platform.PENALTY_INCOME.value,
            merchant(penalty.shop, MerchantAccount.PENALTY),
            penalty.amount,
            penalty.campaign_id,
        ),
        {"penalty_id": penalty.id, "shop": penalty.shop, "withdrawn": "true"},
        penalty.withdraw_reason[:200],
    )


@dataclass(frozen=True, slots=True)
class AdSpend:
    campaign_id: str
    shop: str
    reference: str  # the ad platform's bill or the finance voucher: once per reference
    spend: Fen
    rebate: Fen  # what it earned, after the cap
    recorded_by: str
    at: datetime

    @property
    def key(self) -> str:
        return f"ad_rebate:{self.campaign_id}:{self.shop}:{self.reference}"


def rebate_of(spend: Fen, policy: AdRebate, earned: Fen) -> Fen:
    """floor(spend × rate) cut to what is left under the cap, given `earned` so far."""
    if not 0 < spend <= MAX_FEN:
        raise InvalidRule("amount", f"must be between 1 and {MAX_FEN} fen")
    return max(0, min(spend * policy.rate_bp // FULL_BP, policy.cap - earned))


def ad_rebate_entry(record: AdSpend) -> Entry | None:
    if record.rebate <= 0:
        return None
    return Entry(
        record.key,
        EntryKind.AD_REBATE,
        record.at,
        transfer(
            Platform.AD_REBATE_EXPENSE.value,
            merchant(record.shop, MerchantAccount.AD_REBATE),
            record.rebate,
            record.campaign_id,
        ),
        {"shop": record.shop, "reference": record.reference, "spend": str(record.spend)},
    )
