"""Ad spend records and penalties in SQL (`ChargeStore`): one transaction per record,
its ledger entry posted on the same connection (`SqlLedgerBook`).

The shop's `ad_rebate_totals` row is created if missing and then held (`FOR
UPDATE` on PostgreSQL; on SQLite the book's first statement is that write, so
books take turns) while a record's rebate is cut to the cap: two records of one
shop at once cannot both take the last of it. A penalty's withdrawal saves only
from `recorded` and writes the audit log in the same transaction.
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, desc, false, select, update
from sqlalchemy.engine import Connection

from dacu.adapters import audit
from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.shipment_store import write_first
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import ad_rebate_totals, ad_spends, penalties
from dacu.domain.penalties import AdSpend, Penalty, PenaltyKind, PenaltyStatus
from dacu.domain.types import Fen


class SqlChargeBook:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.ledger = SqlLedgerBook(connection)

    def hold_earned(self, campaign_id: str, shop: str) -> Fen:
        t = ad_rebate_totals.c
        self._connection.execute(
            insert_for(self._connection, ad_rebate_totals)
            .values(campaign_id=campaign_id, shop=shop, earned=0)
            .on_conflict_do_nothing()
        )
        query = select(t.earned).where(t.campaign_id == campaign_id, t.shop == shop)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        return int(self._connection.execute(query).scalar_one())

    def spend(self, key: str) -> AdSpend | None:
        row = self._connection.execute(
            select(ad_spends).where(ad_spends.c.key == key)
        ).one_or_none()
        return None if row is None else _spend(row)

    def add_spend(self, record: AdSpend) -> None:
        self._connection.execute(
            ad_spends.insert().values(
                key=record.key,
                campaign_id=record.campaign_id,
                shop=record.shop,
                reference=record.reference,
                spend=record.spend,
                rebate=record.rebate,
                recorded_by=record.recorded_by,
                at=record.at,
            )
        )
        t = ad_rebate_totals.c
        self._connection.execute(
            update(ad_rebate_totals)
            .where(t.campaign_id == record.campaign_id, t.shop == record.shop)
            .values(earned=t.earned + record.rebate)
        )

    def penalty_by_key(self, actor: str, key: str) -> tuple[Penalty, str] | None:
        row = self._connection.execute(
            select(penalties).where(penalties.c.actor == actor, penalties.c.idempotency_key == key)
        ).one_or_none()
        return None if row is None else (_penalty(row), row.request_hash)

    def add_penalty(self, penalty: Penalty, actor: str, key: str, request_hash: str) -> bool:
        placed = self._connection.execute(
            insert_for(self._connection, penalties)
            .values(
                id=penalty.id,
                actor=actor,
                idempotency_key=key,
                request_hash=request_hash,
                campaign_id=penalty.campaign_id,
                shop=penalty.shop,
                kind=penalty.kind.value,
                amount=penalty.amount,
                reason=penalty.reason,
                evidence=penalty.evidence,
                status=penalty.status.value,
                at=penalty.at,
            )
            .on_conflict_do_nothing()
            .returning(penalties.c.id)
        ).first()
        if placed is not None:
            _audit(self._connection, penalty.recorded_by, "penalty.record", None, penalty)
        return placed is not None

    def held_penalty(self, penalty_id: str) -> Penalty | None:
        query = select(penalties).where(penalties.c.id == penalty_id)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._connection.execute(query).one_or_none()
        return None if row is None else _penalty(row)

    def withdrawn(self, before: Penalty, after: Penalty) -> bool:
        done = self._connection.execute(
            update(penalties)
            .where(
                penalties.c.id == after.id,
                penalties.c.status == PenaltyStatus.RECORDED.value,
            )
            .values(
                status=after.status.value,
                withdrawn_by=after.withdrawn_by,
                withdrawn_at=after.withdrawn_at,
                withdraw_reason=after.withdraw_reason,
            )
        )
        if done.rowcount != 1:
            return False
        _audit(self._connection, after.withdrawn_by, "penalty.withdraw", before, after)
        return True


class SqlChargeStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def book(self) -> Iterator[SqlChargeBook]:
        with self._engine.begin() as connection:
            write_first(connection, "penalties")
            yield SqlChargeBook(connection)

    def spends(
        self, campaign_id: str, shops: Collection[str] | None = None, limit: int = 1000
    ) -> list[AdSpend]:
        query = _of(ad_spends, campaign_id, shops).order_by(desc(ad_spends.c.at)).limit(limit)
        with self._engine.connect() as connection:
            return [_spend(row) for row in connection.execute(query)]

    def penalties(
        self, campaign_id: str, shops: Collection[str] | None = None, limit: int = 1000
    ) -> list[Penalty]:
        query = _of(penalties, campaign_id, shops).order_by(desc(penalties.c.at)).limit(limit)
        with self._engine.connect() as connection:
            return [_penalty(row) for row in connection.execute(query)]

    def penalty(self, penalty_id: str) -> Penalty | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(penalties).where(penalties.c.id == penalty_id)
            ).one_or_none()
        return None if row is None else _penalty(row)


def _of(table: Any, campaign_id: str, shops: Collection[str] | None) -> Any:
    query = select(table).where(table.c.campaign_id == campaign_id)
    if shops is not None:
        query = query.where(table.c.shop.in_(list(shops)) if shops else false())
    return query


def _audit(connection: Connection, actor: str, action: str, before: Any, after: Any) -> None:
    audit.record(
        connection,
        actor=actor,
        action=action,
        subject=f"penalty:{after.id}",
        before=None if before is None else _plain(before),
        after=_plain(after),
        at=after.withdrawn_at or after.at,
    )


def _plain(penalty: Penalty) -> dict[str, Any]:
    found = asdict(penalty)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in found.items()}


def _spend(row: Any) -> AdSpend:
    return AdSpend(
        row.campaign_id, row.shop, row.reference, int(row.spend), int(row.rebate),
        row.recorded_by, row.at,
    )  # fmt: skip


def _penalty(row: Any) -> Penalty:
    return Penalty(
        id=row.id,
        campaign_id=row.campaign_id,
        shop=row.shop,
        kind=PenaltyKind(row.kind),
        amount=int(row.amount),
        reason=row.reason,
        evidence=row.evidence,
        recorded_by=row.actor,
        at=row.at,
        status=PenaltyStatus(row.status),
        withdrawn_by=row.withdrawn_by,
        withdrawn_at=row.withdrawn_at,
        withdraw_reason=row.withdraw_reason,
    )
