"""Acquisition rows to domain values and back."""

from typing import Any

from dacu.domain.acquisition import (
    Mechanic,
    Outcome,
    Referral,
    ReferralKind,
    RewardRecord,
    Share,
    ShareTarget,
)


def row_of(record: RewardRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "mechanic": record.mechanic.value,
        "campaign_id": record.campaign_id,
        "customer_id": record.customer_id,
        "subject": record.subject,
        "outcome": record.outcome.value,
        "coupon": record.coupon,
        "value": record.value,
        "line": None,
        "drawn": 0,
        "at": record.at,
    }


def reward_of(row: Any) -> RewardRecord:
    return RewardRecord(
        key=row["key"],
        mechanic=Mechanic(row["mechanic"]),
        campaign_id=row["campaign_id"],
        customer_id=row["customer_id"],
        subject=row["subject"],
        outcome=Outcome(row["outcome"]),
        coupon=row["coupon"],
        value=int(row["value"]),
        at=row["at"],
    )


def referral_of(row: Any) -> Referral:
    return Referral(
        row["customer_id"],
        ReferralKind(row["kind"]),
        row["referrer"],
        row["campaign_id"],
        row["at"],
    )


def share_of(row: Any) -> Share:
    return Share(
        row["token"],
        row["sharer"],
        ShareTarget(row["target"]),
        row["target_id"],
        row["day"],
        int(row["opens"]),
    )
