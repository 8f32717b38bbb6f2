"""Rewards given, in SQL (`RewardStore` port): one row per grant key, its status moved
only by conditional updates, so concurrent givers and sweepers deliver each once."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.audit import record as audit
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import customers, rewards
from dacu.domain.fulfilment import OPEN, Address, RewardRecord, RewardStatus
from dacu.domain.rewards import Grant, Reward, RewardKind


def record_on(connection: Connection, grant: Grant, reward_id: str, status: RewardStatus) -> None:
    """The grant's row, on the caller's transaction, unless its key is there already."""
    reward = grant.reward
    connection.execute(
        insert_for(connection, rewards)
        .values(
            id=reward_id,
            key=grant.key,
            customer_id=grant.customer_id,
            campaign_id=grant.campaign_id,
            source=grant.source,
            kind=reward.kind.value,
            name=reward.name,
            value=reward.value,
            coupon=reward.coupon,
            coins=reward.coins,
            status=status.value,
            reference="",
            attempts=0,
            error="",
            overdue=False,
            created_at=grant.at,
            updated_at=grant.at,
        )
        .on_conflict_do_nothing(index_elements=[rewards.c.key])
    )


def _row(row: Any) -> RewardRecord:
    address = None
    if row.ship_name is not None:
        address = Address(row.ship_name, row.ship_phone or "", row.ship_address or "")
    reward = Reward(RewardKind(row.kind), row.name, int(row.value), row.coupon, int(row.coins))
    return RewardRecord(
        id=row.id,
        key=row.key,
        customer_id=row.customer_id,
        campaign_id=row.campaign_id,
        source=row.source,
        reward=reward,
        status=RewardStatus(row.status),
        created_at=row.created_at,
        reference=row.reference,
        due_at=row.due_at,
        address=address,
        carrier=row.carrier or "",
        waybill=row.waybill or "",
        attempts=int(row.attempts),
        error=row.error,
        overdue=bool(row.overdue),
        updated_at=row.updated_at,
    )


class SqlRewardStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, grant: Grant, reward_id: str, status: RewardStatus) -> RewardRecord:
        with self._engine.begin() as connection:
            record_on(connection, grant, reward_id, status)
        found = self.by_key(grant.key)
        assert found is not None
        return found

    def _one(self, clause: Any) -> RewardRecord | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(rewards).where(clause)).one_or_none()
        return None if row is None else _row(row)

    def get(self, reward_id: str) -> RewardRecord | None:
        return self._one(rewards.c.id == reward_id)

    def by_key(self, key: str) -> RewardRecord | None:
        return self._one(rewards.c.key == key)

    def mine(self, customer_id: str, limit: int = 200) -> list[RewardRecord]:
        query = (
            select(rewards)
            .where(rewards.c.customer_id == customer_id)
            .order_by(rewards.c.created_at.desc(), rewards.c.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_row(row) for row in connection.execute(query)]

    def queue(
        self, statuses: Sequence[RewardStatus], campaign_id: str | None = None, limit: int = 500
    ) -> list[RewardRecord]:
        query = select(rewards).where(rewards.c.status.in_([s.value for s in statuses]))
        if campaign_id is not None:
            query = query.where(rewards.c.campaign_id == campaign_id)
        query = query.order_by(rewards.c.due_at, rewards.c.created_at, rewards.c.id).limit(limit)
        with self._engine.connect() as connection:
            return [_row(row) for row in connection.execute(query)]

    def stalest(self, statuses: Sequence[RewardStatus], limit: int) -> list[RewardRecord]:
        query = (
            select(rewards)
            .where(rewards.c.status.in_([s.value for s in statuses]))
            .order_by(rewards.c.updated_at, rewards.c.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_row(row) for row in connection.execute(query)]

    def move(
        self,
        reward_id: str,
        were: Sequence[RewardStatus],
        to: RewardStatus,
        now: datetime,
        actor: str | None = None,
        **fields: object,
    ) -> bool:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(rewards)
                .where(rewards.c.id == reward_id, rewards.c.status.in_([s.value for s in were]))
                .values(status=to.value, updated_at=now, **fields)
            )
            if moved.rowcount and actor is not None:
                audit(
                    connection,
                    actor=actor,
                    action=f"reward.{to.value}",
                    subject=f"reward:{reward_id}",
                    before={"status": [s.value for s in were]},
                    after={"status": to.value},
                    at=now,
                )
        return bool(moved.rowcount)

    def give_address(
        self, reward_id: str, customer_id: str, address: Address, due_at: datetime, now: datetime
    ) -> bool:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(rewards)
                .where(
                    rewards.c.id == reward_id,
                    rewards.c.customer_id == customer_id,
                    rewards.c.status == RewardStatus.AWAITING_ADDRESS.value,
                )
                .values(
                    status=RewardStatus.SHIPPING.value,
                    ship_name=address.name,
                    ship_phone=address.phone,
                    ship_address=address.address,
                    due_at=due_at,
                    updated_at=now,
                )
            )
        return bool(moved.rowcount)

    def ship(self, reward_id: str, carrier: str, waybill: str, actor: str, now: datetime) -> bool:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(rewards)
                .where(
                    rewards.c.id == reward_id,
                    rewards.c.status == RewardStatus.SHIPPING.value,
                )
                .values(
                    status=RewardStatus.SHIPPED.value,
                    carrier=carrier,
                    waybill=waybill,
                    updated_at=now,
                )
            )
            if not moved.rowcount:
                return False
            audit(
                connection,
                actor=actor,
                action="reward.ship",
                subject=f"reward:{reward_id}",
                before={"status": RewardStatus.SHIPPING.value},
                after={"status": "shipped", "carrier": carrier, "waybill": waybill},
                at=now,
            )
        return True

    def flag_overdue(self, now: datetime) -> list[RewardRecord]:
        late = (
            rewards.c.status.in_([s.value for s in OPEN]),
            rewards.c.due_at <= now,
            rewards.c.overdue.is_(False),
        )
        with self._engine.begin() as connection:
            rows = connection.execute(select(rewards).where(*late).limit(500)).all()
            flagged = []
            for row in rows:
                done = connection.execute(
                    update(rewards)
                    .where(rewards.c.id == row.id, rewards.c.overdue.is_(False))
                    .values(overdue=True)
                )
                if done.rowcount:
                    flagged.append(_row(row))
        return flagged

    def phone_of(self, customer_id: str) -> str | None:
        query = select(customers.c.phone).where(
            customers.c.id == customer_id, customers.c.phone_verified.is_(True)
        )
        with self._engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()
