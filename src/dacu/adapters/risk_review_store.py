"""The risk review queue in SQL (`ReviewStore`). An item is queued once per id (its
primary key); a decision is a conditional UPDATE (`WHERE status = 'open'`) with its audit
row in the same transaction, so of two people deciding at once one wins; one block appeal
per customer stands open (the unique `open_key`, NULL once decided)."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from dacu.adapters.audit import record
from dacu.adapters.tables import risk_reviews
from dacu.domain.risk_review import Decision, ReviewItem, ReviewKind, ReviewStatus
from dacu.services.ports.risk_reviews import QueueFilter

T = risk_reviews.c
OPEN = ReviewStatus.OPEN.value


class SqlReviewStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, item: ReviewItem) -> tuple[ReviewItem, bool]:
        try:
            with self._engine.begin() as connection:
                connection.execute(risk_reviews.insert().values(**_row(item)))
            return item, True
        except IntegrityError:
            kept = self.item(item.id)
        if kept is None:  # pragma: no cover - only a unique open_key clashes otherwise
            raise LookupError(item.id)
        return kept, False

    def item(self, item_id: str) -> ReviewItem | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(risk_reviews).where(T.id == item_id)).first()
        return None if row is None else _item(row._mapping)

    def known(self, item_ids: Collection[str]) -> set[str]:
        wanted, found = sorted(set(item_ids)), set()
        with self._engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found |= set(connection.execute(select(T.id).where(T.id.in_(chunk))).scalars())
        return found

    def page(self, where: QueueFilter, offset: int, limit: int) -> tuple[list[ReviewItem], int]:
        conditions = []
        if where.kind is not None:
            conditions.append(T.kind == where.kind.value)
        if where.campaign_id:
            conditions.append(T.campaign_id == where.campaign_id)
        if where.status is not None:
            conditions.append(T.status == where.status.value)
        if where.reason:
            conditions.append(T.reason == where.reason)
        if where.appeals is not None:
            conditions.append(T.appeal.is_(where.appeals))
        query = select(risk_reviews).where(*conditions)
        ordered = query.order_by(T.created_at, T.id).offset(offset).limit(limit)
        counted = select(func.count()).select_from(risk_reviews).where(*conditions)
        with self._engine.connect() as connection:
            rows = [_item(row._mapping) for row in connection.execute(ordered)]
            total = connection.execute(counted).scalar_one()
        return rows, int(total)

    def decide(self, item: ReviewItem) -> bool:
        assert item.decided_at is not None
        assert item.decision is not None
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(risk_reviews)
                .where(T.id == item.id, T.status == OPEN)
                .values(
                    status=item.status.value,
                    open_key=None,
                    decision=item.decision.value,
                    decided_by=item.decided_by,
                    decided_at=item.decided_at,
                    note=item.note,
                    blacklisted=list(item.blacklisted),
                )
            ).rowcount
            if moved != 1:
                return False
            record(
                connection,
                actor=item.decided_by,
                action=f"risk_review.{item.decision.value}",
                subject=f"risk_review:{item.id}"[:128],
                before={"status": OPEN, "amount": item.amount, "appeal": item.appeal},
                after={
                    "status": item.status.value,
                    "note": item.note,
                    "blacklisted": list(item.blacklisted),
                },
                at=item.decided_at,
            )
        return True

    def appeal(self, item: ReviewItem) -> bool:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(risk_reviews)
                .where(T.id == item.id, T.status == OPEN, T.appeal.is_(False))
                .values(
                    appeal=True,
                    appeal_by=item.appeal_by,
                    appeal_reason=item.appeal_reason,
                    appealed_at=item.appealed_at,
                )
            ).rowcount
        return bool(moved == 1)

    def file_block(self, item: ReviewItem) -> bool:
        try:
            with self._engine.begin() as connection:
                connection.execute(risk_reviews.insert().values(**_row(item)))
        except IntegrityError:
            return False
        return True

    def appeals_of(self, by: str, limit: int = 100) -> list[ReviewItem]:
        query = (
            select(risk_reviews)
            .where(T.appeal_by == by, T.appeal.is_(True))
            .order_by(T.appealed_at.desc(), T.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_item(row._mapping) for row in connection.execute(query)]

    def appeals_since(self, by: str, since: datetime) -> int:
        query = select(func.count()).where(T.appeal_by == by, T.appealed_at >= since)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def open_block(self, customer_id: str) -> ReviewItem | None:
        query = select(risk_reviews).where(T.open_key == f"block:{customer_id}")
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _item(row._mapping)


def _row(item: ReviewItem) -> dict[str, Any]:
    block = item.kind is ReviewKind.BLOCK and item.status is ReviewStatus.OPEN
    return {
        "id": item.id,
        "kind": item.kind.value,
        "key": item.key,
        "open_key": f"block:{item.customer_id}" if block else None,
        "customer_id": item.customer_id,
        "shop": item.shop,
        "campaign_id": item.campaign_id,
        "amount": item.amount,
        "reason": item.reason,
        "score": item.score,
        "rules": list(item.rules),
        "created_at": item.created_at,
        "status": item.status.value,
        "appeal": item.appeal,
        "appeal_by": item.appeal_by,
        "appeal_reason": item.appeal_reason,
        "appealed_at": item.appealed_at,
        "decision": None if item.decision is None else item.decision.value,
        "blacklisted": list(item.blacklisted),
    }


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        id=row["id"],
        kind=ReviewKind(row["kind"]),
        key=row["key"],
        customer_id=row["customer_id"],
        created_at=row["created_at"],
        amount=row["amount"],
        campaign_id=row["campaign_id"],
        reason=row["reason"],
        score=row["score"],
        rules=tuple(row["rules"]),
        shop=row["shop"],
        status=ReviewStatus(row["status"]),
        appeal=bool(row["appeal"]),
        appeal_by=row["appeal_by"],
        appeal_reason=row["appeal_reason"],
        appealed_at=row["appealed_at"],
        decision=None if row["decision"] is None else Decision(row["decision"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        note=row["note"],
        blacklisted=tuple(row["blacklisted"]),
    )
