"""Giving rewards (`RewardGiver` port) and fulfilling them.

`give(grant)` records the grant once per key (`rewards`) and hands it on:
a coupon into the wallet and coins into the ledger at once; a top-up (话费) to
the provider, pending until it confirms and tried again by `sweep` within a
promise of 3 Chinese working days; a physical prize waits for the customer's
name, phone and address, then enters the shipping queue with the same promise.
Status moves are conditional, so racing givers and sweepers deliver once.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from dacu.domain.coins import CoinReason
from dacu.domain.errors import DomainError, InvalidRule
from dacu.domain.fulfilment import (
    Address,
    RewardRecord,
    RewardStateError,
    RewardStatus,
    UnknownReward,
    due_after,
    retry_after,
)
from dacu.domain.rewards import Given, Grant, RewardKind
from dacu.services.ports.alerts import Alerts
from dacu.services.ports.coins import CoinLedger
from dacu.services.ports.fulfilment import CouponGrants, RewardStore, WorkingDays
from dacu.services.ports.topups import TopUps, TopUpState
from dacu.services.registration import mainland_mobile

S = RewardStatus
FIRST = {
    RewardKind.COUPON: S.NEW,
    RewardKind.COINS: S.NEW,
    RewardKind.TOP_UP: S.NEW,
    RewardKind.PHYSICAL: S.AWAITING_ADDRESS,
    RewardKind.NOTHING: S.NOTHING,
}
RETRIED = (S.NEW, S.PENDING, S.FAILED)
STALE = timedelta(seconds=30)  # a NEW reward this old was left by a giver that stopped
MAX_CARRIER = 64


class RewardService:
    def __init__(
        self,
        store: RewardStore,
        coupons: CouponGrants,
        coins: CoinLedger,
        topups: TopUps,
        workdays: WorkingDays,
        alerts: Alerts,
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
    ) -> None:
        self._store, self._coupons, self._coins = store, coupons, coins
        self._topups, self._workdays, self._alerts = topups, workdays, alerts
        self._clock, self._new_id = clock, new_id

    def give(self, grant: Grant) -> Given:
        """Deliver the grant's reward, once per `grant.key`."""
        found = self._store.by_key(grant.key)
        if found is None:
            found = self._store.record(grant, self._new_id(), FIRST[grant.reward.kind])
        return self._given(self.deliver(found))

    def hold(self, grant: Grant) -> Given:
        """Record the grant held for review (the risk check said so), not given."""
        found = self._store.by_key(grant.key) or self._store.record(grant, self._new_id(), S.HELD)
        return self._given(found)

    def release(self, reward_id: str, actor: str) -> RewardRecord:
        """A held reward reviewed and found fine: given now."""
        found = self.one(reward_id)
        first = FIRST[found.reward.kind]
        if not self._store.move(reward_id, (S.HELD,), first, self._clock(), actor=actor):
            raise RewardStateError(f"reward {reward_id} is {found.status}, not held")
        return self.deliver(self.one(reward_id))

    def refuse(self, reward_id: str, actor: str) -> RewardRecord:
        """A held reward reviewed and refused: nothing is given."""
        found = self.one(reward_id)
        if not self._store.move(reward_id, (S.HELD,), S.NOTHING, self._clock(), actor=actor):
            raise RewardStateError(f"reward {reward_id} is {found.status}, not held")
        return self.one(reward_id)

    def deliver(self, found: RewardRecord, now: datetime | None = None) -> RewardRecord:
        """Hand a recorded reward on, as far as it can go now."""
        now = now or self._clock()
        kind = found.reward.kind
        if found.status not in RETRIED or kind is RewardKind.PHYSICAL:
            return found
        if kind is RewardKind.TOP_UP:
            return self._top_up(found, now)
        if kind is RewardKind.COINS:
            key = f"reward:{found.key}"
            self._coins.earn(
                found.customer_id, found.reward.coins, _reason(found), key, now, found.campaign_id
            )
            self._store.move(found.id, RETRIED, S.GIVEN, now, reference=key)
        elif kind is RewardKind.COUPON:
            self._coupon(found, now)
        return self._store.get(found.id) or found

    def _coupon(self, found: RewardRecord, now: datetime) -> None:
        template = found.reward.coupon or ""
        try:
            outcome = self._coupons.grant(template, [found.customer_id], found.key, now)
        except DomainError as error:  # a closed campaign, an unknown template: tried again
            self._failed(found, now, error.code.value)
            return
        if outcome.get(found.customer_id) == "issued":
            self._store.move(found.id, RETRIED, S.GIVEN, now, reference=f"coupon:{template}")
        else:
            self._failed(found, now, str(outcome.get(found.customer_id, "refused")))

    def _top_up(self, found: RewardRecord, now: datetime) -> RewardRecord:
        due = found.due_at or due_after(found.created_at, self._workdays.is_workday)
        phone = self._store.phone_of(found.customer_id)
        if phone is None:
            self._failed(found, now, "no verified phone", due_at=due)
            return self._store.get(found.id) or found
        answer = self._topups.top_up(found.id, phone, found.reward.value)
        to = {TopUpState.CONFIRMED: S.GIVEN, TopUpState.PENDING: S.PENDING}.get(answer.state)
        if to is None:
            self._failed(found, now, answer.error or "failed", due_at=due)
        else:
            self._store.move(
                found.id,
                RETRIED,
                to,
                now,
                reference=answer.reference,
                due_at=due,
                attempts=found.attempts + 1,
                error="",
            )
        return self._store.get(found.id) or found

    def _failed(self, found: RewardRecord, now: datetime, error: str, **fields: object) -> None:
        self._store.move(
            found.id,
            RETRIED,
            S.FAILED,
            now,
            None,
            error=error[:200],
            attempts=found.attempts + 1,
            **fields,
        )

    @staticmethod
    def _given(found: RewardRecord) -> Given:
        return Given(found.key, found.status.given, found.reference or found.id)

    def mine(self, customer_id: str) -> list[RewardRecord]:
        return self._store.mine(customer_id)

    def one(self, reward_id: str, customer_id: str | None = None) -> RewardRecord:
        """A reward; someone else's (when `customer_id` is given) is not shown to exist."""
        found = self._store.get(reward_id)
        if found is None or (customer_id is not None and found.customer_id != customer_id):
            raise UnknownReward(reward_id)
        return found

    def give_address(
        self, reward_id: str, customer_id: str, name: str, phone: str, address: str
    ) -> RewardRecord:
        """The customer's name, phone and address for their physical prize; then it is in
        the shipping queue, due in 3 working days."""
        found = self.one(reward_id, customer_id)
        if found.reward.kind is not RewardKind.PHYSICAL:
            raise InvalidRule("reward", "only a physical prize is shipped")
        where = Address(name.strip(), mainland_mobile(phone), address.strip())
        now = self._clock()
        due = due_after(now, self._workdays.is_workday)
        if not self._store.give_address(reward_id, customer_id, where, due, now):
            raise RewardStateError(f"reward {reward_id} is {self.one(reward_id).status}")
        return self.one(reward_id)

    def ship(self, reward_id: str, carrier: str, waybill: str, actor: str) -> RewardRecord:
        """Shipped with `carrier` and `waybill` (audited)."""
        for field, text in (("carrier", carrier), ("waybill", waybill)):
            if not 1 <= len(text.strip()) <= MAX_CARRIER:
                raise InvalidRule(field, f"1 to {MAX_CARRIER} characters")
        found = self.one(reward_id)
        now = self._clock()
        if not self._store.ship(reward_id, carrier.strip(), waybill.strip(), actor, now):
            raise RewardStateError(f"reward {reward_id} is {found.status}, not shipping")
        self._alerts.clear_alert(f"reward:{reward_id}", "reward_overdue", now)
        return self.one(reward_id)

    def retry(self, reward_id: str) -> RewardRecord:
        """Try a failed top-up (or coupon) again now."""
        found = self.one(reward_id)
        if found.status is not S.FAILED:
            raise RewardStateError(f"reward {reward_id} is {found.status}, not failed")
        return self.deliver(found)

    def queue(self, campaign_id: str | None = None) -> list[RewardRecord]:
        """The fulfilment queue: awaiting address, shipping, top-ups pending or failed."""
        states = (S.AWAITING_ADDRESS, S.SHIPPING, S.PENDING, S.FAILED, S.HELD)
        return self._store.queue(states, campaign_id)

    def sweep(self, now: datetime | None = None) -> dict[str, int]:
        """Top-ups and coupons tried again, rewards past their promise flagged and alerted."""
        now = now or self._clock()
        delivered = 0
        for found in self._store.stalest(RETRIED, 200):
            if found.status is S.NEW and now - found.created_at < STALE:
                continue  # its giver is on it
            since = found.updated_at or found.created_at
            if found.status is not S.NEW and now - since < retry_after(found.attempts):
                continue
            if self.deliver(found, now).status is S.GIVEN:
                delivered += 1
        late = self._store.flag_overdue(now)
        for found in late:
            self._alerts.raise_alert(
                f"reward:{found.id}",
                "reward_overdue",
                "warning",
                f"{found.reward.name} for {found.customer_id} is past its promise",
                now,
            )
        return {"delivered": delivered, "overdue": len(late)}


def _reason(found: RewardRecord) -> str:
    return CoinReason.LOTTERY if found.source == "lottery" else found.source
