"""In-memory fakes of the reward record, the coin ledger and coupon grants, for unit tests
of `RewardService`."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from dacu.domain.fulfilment import OPEN, Address, RewardRecord, RewardStatus
from dacu.domain.rewards import Grant


@dataclass
class FakeRewardStore:
    rows: dict[str, RewardRecord] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)  # verified phones
    audited: list[tuple[str, str, str]] = field(default_factory=list)  # actor, action, id

    def record(self, grant: Grant, reward_id: str, status: RewardStatus) -> RewardRecord:
        found = self.by_key(grant.key)
        if found is not None:
            return found
        made = RewardRecord(
            reward_id, grant.key, grant.customer_id, grant.campaign_id, grant.source,
            grant.reward, status, grant.at, updated_at=grant.at,
        )  # fmt: skip
        self.rows[reward_id] = made
        return made

    def get(self, reward_id: str) -> RewardRecord | None:
        return self.rows.get(reward_id)

    def by_key(self, key: str) -> RewardRecord | None:
        return next((r for r in self.rows.values() if r.key == key), None)

    def mine(self, customer_id: str, limit: int = 200) -> list[RewardRecord]:
        return [r for r in self.rows.values() if r.customer_id == customer_id][:limit]

    def queue(
        self, statuses: Sequence[RewardStatus], campaign_id: str | None = None, limit: int = 500
    ) -> list[RewardRecord]:
        found = [r for r in self.rows.values() if r.status in statuses]
        return [r for r in found if campaign_id in (None, r.campaign_id)][:limit]

    def stalest(self, statuses: Sequence[RewardStatus], limit: int) -> list[RewardRecord]:
        found = [r for r in self.rows.values() if r.status in statuses]
        return sorted(found, key=lambda r: (r.updated_at or r.created_at, r.id))[:limit]

    def move(self, reward_id, were, to, now, actor=None, **fields) -> bool:
        found = self.rows[reward_id]
        if found.status not in were:
            return False
        self.rows[reward_id] = replace(found, status=to, updated_at=now, **fields)
        if actor is not None:
            self.audited.append((actor, f"reward.{to.value}", reward_id))
        return True

    def give_address(
        self, reward_id: str, customer_id: str, address: Address, due_at: datetime, now: datetime
    ) -> bool:
        found = self.rows[reward_id]
        if found.customer_id != customer_id or found.status is not RewardStatus.AWAITING_ADDRESS:
            return False
        self.rows[reward_id] = replace(
            found, status=RewardStatus.SHIPPING, address=address, due_at=due_at, updated_at=now
        )
        return True

    def ship(self, reward_id: str, carrier: str, waybill: str, actor: str, now: datetime) -> bool:
        moved = self.move(reward_id, (RewardStatus.SHIPPING,), RewardStatus.SHIPPED, now)
        if moved:
            self.rows[reward_id] = replace(self.rows[reward_id], carrier=carrier, waybill=waybill)
            self.audited.append((actor, "reward.ship", reward_id))
        return moved

    def flag_overdue(self, now: datetime) -> list[RewardRecord]:
        late = [
            r for r in self.rows.values()
            if r.status in OPEN and r.due_at is not None and r.due_at <= now and not r.overdue
        ]  # fmt: skip
        for found in late:
            self.rows[found.id] = replace(found, overdue=True)
        return late

    def phone_of(self, customer_id: str) -> str | None:
        return self.phones.get(customer_id)


@dataclass
class FakeCoins:
    entries: dict[str, tuple[str, int]] = field(default_factory=dict)  # key → customer, coins

    def earn(self, customer_id, coins, reason, key, at, campaign_id=None) -> bool:
        if key in self.entries:
            return False
        self.entries[key] = (customer_id, coins)
        return True


@dataclass
class FakeGrants:
    batches: set[tuple[str, str, str]] = field(default_factory=set)
    refuse: str | None = None

    def grant(self, template_id, customer_ids, batch, now=None) -> dict[str, str]:
        if self.refuse:
            return dict.fromkeys(customer_ids, self.refuse)
        for customer in customer_ids:
            self.batches.add((template_id, customer, batch))
        return dict.fromkeys(customer_ids, "issued")


class Weekdays:
    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5
