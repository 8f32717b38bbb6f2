"""The record of rewards given and their fulfilment (`domain/fulfilment.py`)."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from dacu.domain.fulfilment import Address, RewardRecord, RewardStatus
from dacu.domain.rewards import Grant


class RewardStore(Protocol):
    def record(self, grant: Grant, reward_id: str, status: RewardStatus) -> RewardRecord:
        """The grant's record, created in `status` unless its key was recorded before."""
        ...

    def get(self, reward_id: str) -> RewardRecord | None: ...

    def by_key(self, key: str) -> RewardRecord | None: ...

    def mine(self, customer_id: str, limit: int = 200) -> list[RewardRecord]: ...

    def queue(
        self, statuses: Sequence[RewardStatus], campaign_id: str | None = None, limit: int = 500
    ) -> list[RewardRecord]:
        """Rewards in these states, oldest due first."""
        ...

    def stalest(self, statuses: Sequence[RewardStatus], limit: int) -> list[RewardRecord]:
        """Rewards in these states, the longest unchanged first (for the sweep)."""
        ...

    def move(
        self,
        reward_id: str,
        were: Sequence[RewardStatus],
        to: RewardStatus,
        now: datetime,
        actor: str | None = None,
        **fields: object,
    ) -> bool:
        """Set the status (and `fields`) only if the reward is in one of `were`; audited
        when an `actor` moves it."""
        ...

    def give_address(
        self, reward_id: str, customer_id: str, address: Address, due_at: datetime, now: datetime
    ) -> bool:
        """The customer's address on their reward awaiting one; then it is shipping."""
        ...

    def ship(self, reward_id: str, carrier: str, waybill: str, actor: str, now: datetime) -> bool:
        """Shipped with carrier and waybill, audited; False unless it was shipping."""
        ...

    def flag_overdue(self, now: datetime) -> list[RewardRecord]:
        """Mark the rewards whose promise ran out (once each); those newly marked."""
        ...

    def phone_of(self, customer_id: str) -> str | None:
        """The customer's verified phone, if any."""
        ...


class WorkingDays(Protocol):
    def is_workday(self, day: date) -> bool:
        """A Chinese working day: not a weekend or holiday, or a 调休 make-up day."""
        ...


class CouponGrants(Protocol):
    def grant(
        self,
        template_id: str,
        customer_ids: Sequence[str],
        batch: str,
        now: datetime | None = None,
    ) -> dict[str, str]: ...
