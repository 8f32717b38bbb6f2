"""Acquisition (拉新) in SQL: codes, referrals, share links, and reward decisions.

A reward's key is its row's primary key: the first decision is inserted with
ON CONFLICT DO NOTHING and every retry or racing copy reads that one. Its cap
(`count_up_to`) and its budget line (`SqlBudgets.draw`) are taken in the same
transaction, so a storm in any number of processes passes neither.
"""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, Table, func, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.acquisition_figures import figures_of
from dacu.adapters.acquisition_rows import referral_of, reward_of, row_of, share_of
from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.sql import count_up_to, insert_for
from dacu.adapters.tables import (
    acquisition_counts,
    acquisition_rewards,
    customers,
    invite_codes,
    merchant_codes,
    referrals,
    shares,
)
from dacu.domain.acquisition import (
    Outcome,
    Referral,
    ReferralKind,
    RewardRecord,
    Share,
)
from dacu.services.ports.acquisition import Cap, Draw, Figures

TRIES = 8  # fresh codes tried when one clashes with another's


class SqlAcquisition:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def invite_code(self, customer_id: str, make: Callable[[], str], at: datetime) -> str:
        return self._code(invite_codes, "customer_id", customer_id, make, at)

    def merchant_code(self, shop_id: str, make: Callable[[], str], at: datetime) -> str:
        return self._code(merchant_codes, "shop_id", shop_id, make, at)

    def _code(
        self, table: Table, owner: str, owner_id: str, make: Callable[[], str], at: datetime
    ) -> str:
        for _ in range(TRIES):
            with self._engine.begin() as connection:
                found = connection.execute(
                    select(table.c.code).where(table.c[owner] == owner_id)
                ).scalar_one_or_none()
                if found is not None:
                    return str(found)
                code = make()
                clash = connection.execute(
                    select(table.c.code).where(table.c.code == code)
                ).scalar_one_or_none()
                if clash is not None:
                    continue
                connection.execute(
                    insert_for(connection, table)
                    .values({owner: owner_id, "code": code, "at": at})
                    .on_conflict_do_nothing()
                )
        raise RuntimeError("no free code found")  # 30^8 codes: not reached in practice

    def owner_of(self, kind: ReferralKind, code: str) -> str | None:
        table, owner = (
            (invite_codes, "customer_id")
            if kind is ReferralKind.INVITE
            else (merchant_codes, "shop_id")
        )
        with self._engine.connect() as connection:
            found = connection.execute(
                select(table.c[owner]).where(table.c.code == code)
            ).scalar_one_or_none()
        return None if found is None else str(found)

    def refer(self, referral: Referral) -> bool:
        with self._engine.begin() as connection:
            made = connection.execute(
                insert_for(connection, referrals)
                .values(
                    customer_id=referral.customer_id,
                    kind=referral.kind.value,
                    referrer=referral.referrer,
                    campaign_id=referral.campaign_id,
                    at=referral.at,
                )
                .on_conflict_do_nothing()
                .returning(referrals.c.customer_id)
            ).first()
        return made is not None

    def referral(self, customer_id: str) -> Referral | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(referrals).where(referrals.c.customer_id == customer_id)
            ).one_or_none()
        return None if row is None else referral_of(row._mapping)

    def invitees(self, referrer: str, limit: int = 200) -> list[Referral]:
        query = (
            select(referrals)
            .where(referrals.c.kind == ReferralKind.INVITE.value, referrals.c.referrer == referrer)
            .order_by(referrals.c.at.desc(), referrals.c.customer_id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [referral_of(row._mapping) for row in connection.execute(query)]

    def known(self, customer_id: str) -> bool:
        query = select(customers.c.id).where(customers.c.id == customer_id)
        with self._engine.connect() as connection:
            return connection.scalar(query) is not None

    def invitee_count(self, referrer: str) -> int:
        query = select(func.count()).where(
            referrals.c.kind == ReferralKind.INVITE.value, referrals.c.referrer == referrer
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def share(self, share: Share, at: datetime) -> Share:
        with self._engine.begin() as connection:
            connection.execute(
                insert_for(connection, shares)
                .values(
                    token=share.token,
                    sharer=share.sharer,
                    target=share.target.value,
                    target_id=share.target_id,
                    day=share.day,
                    opens=0,
                    at=at,
                )
                .on_conflict_do_nothing()
            )
            row = connection.execute(
                select(shares).where(
                    shares.c.sharer == share.sharer,
                    shares.c.target == share.target.value,
                    shares.c.target_id == share.target_id,
                    shares.c.day == share.day,
                )
            ).one()
        return share_of(row._mapping)

    def opened(self, token: str) -> Share | None:
        with self._engine.begin() as connection:
            row = connection.execute(
                update(shares)
                .where(shares.c.token == token)
                .values(opens=shares.c.opens + 1)
                .returning(*shares.c)
            ).one_or_none()
        return None if row is None else share_of(row._mapping)

    def find_share(self, token: str) -> Share | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(shares).where(shares.c.token == token)).one_or_none()
        return None if row is None else share_of(row._mapping)

    def decide(
        self, record: RewardRecord, cap: Cap | None, draw: Draw | None
    ) -> tuple[RewardRecord, bool]:
        with self._engine.begin() as connection:
            made = connection.execute(
                insert_for(connection, acquisition_rewards)
                .values(row_of(record))
                .on_conflict_do_nothing()
                .returning(acquisition_rewards.c.key)
            ).first()
            if made is None:
                return _earlier(connection, record.key), False
            if record.outcome is not Outcome.GRANTING:
                return record, True
            outcome = _take(connection, cap, draw)
            taken = {"line": draw.line, "drawn": draw.amount} if draw is not None else {}
            connection.execute(
                update(acquisition_rewards)
                .where(acquisition_rewards.c.key == record.key)
                .values(outcome=outcome.value, **(taken if outcome is Outcome.GRANTING else {}))
            )
        return replace(record, outcome=outcome), True

    def settle(self, key: str, outcome: Outcome) -> None:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(acquisition_rewards)
                .where(
                    acquisition_rewards.c.key == key,
                    acquisition_rewards.c.outcome == Outcome.GRANTING.value,
                )
                .values(outcome=outcome.value)
                .returning(acquisition_rewards.c.line, acquisition_rewards.c.drawn)
            ).one_or_none()
            if moved is None or outcome is Outcome.ISSUED or not moved.drawn or not moved.line:
                return
            SqlBudgets(connection).give({moved.line: int(moved.drawn)})

    def stuck(self, before: datetime, limit: int = 500) -> list[RewardRecord]:
        query = (
            select(acquisition_rewards)
            .where(
                acquisition_rewards.c.outcome == Outcome.GRANTING.value,
                acquisition_rewards.c.at < before,
            )
            .order_by(acquisition_rewards.c.at)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [reward_of(row._mapping) for row in connection.execute(query)]

    def rewards_of(self, customer_id: str) -> list[RewardRecord]:
        query = (
            select(acquisition_rewards)
            .where(acquisition_rewards.c.customer_id == customer_id)
            .order_by(acquisition_rewards.c.at.desc(), acquisition_rewards.c.key)
            .limit(500)
        )
        with self._engine.connect() as connection:
            return [reward_of(row._mapping) for row in connection.execute(query)]

    def figures(self, campaign_id: str, since: datetime, full: bool = True) -> Figures:
        with self._engine.connect() as connection:
            return figures_of(connection, campaign_id, since, full)


def _take(connection: Connection, cap: Cap | None, draw: Draw | None) -> Outcome:
    """Count the cap, then draw the line; a refused draw un-counts the cap."""
    if cap is not None and not count_up_to(
        connection, acquisition_counts, {"key": cap.key}, "n", 1, cap.limit
    ):
        return Outcome.CAPPED
    drawn = draw is None or SqlBudgets(connection).draw(draw.line, draw.amount, draw.base)
    if drawn:
        return Outcome.GRANTING
    if cap is not None:
        connection.execute(
            update(acquisition_counts)
            .where(acquisition_counts.c.key == cap.key)
            .values(n=acquisition_counts.c.n - 1)
        )
    return Outcome.BUDGET_SPENT


def _earlier(connection: Connection, key: str) -> RewardRecord:
    row = connection.execute(
        select(acquisition_rewards).where(acquisition_rewards.c.key == key)
    ).one()
    return reward_of(row._mapping)
