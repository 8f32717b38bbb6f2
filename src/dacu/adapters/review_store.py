"""Large-subsidy reviews in SQL (`ReviewStore`): held once per id (ON CONFLICT DO
NOTHING), moved by a conditional UPDATE on the status seen, audited in the same
transaction."""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Engine, and_, column, exists, select, table, update

from dacu.adapters.appeal_store import writing
from dacu.adapters.audit import record
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import subsidy_reviews
from dacu.domain.reviews import Review, ReviewStatus

_T = subsidy_reviews
# the settlement run's tables, as much of them as finding the lines to hold reads
_statements = table("statements", column("id"), column("campaign_id"))
_lines = table("statement_lines", column("statement_id"), column("no"), column("amount"))


class SqlReviewStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def hold(self, reviews: Sequence[Review]) -> None:
        if not reviews:
            return
        with writing(self._engine) as connection:
            for review in reviews:
                connection.execute(
                    insert_for(connection, _T)
                    .values(**_row(review))
                    .on_conflict_do_nothing(index_elements=[_T.c.id])
                )

    def campaigns(self) -> list[str]:
        query = select(_statements.c.campaign_id).distinct().order_by(_statements.c.campaign_id)
        with self._engine.connect() as connection:
            return list(connection.scalars(query))

    def unheld(self, campaign_id: str, over: int) -> list[str]:
        held = exists().where(
            and_(_T.c.statement_id == _lines.c.statement_id, _T.c.line_no == _lines.c.no)
        )
        query = (
            select(_lines.c.statement_id)
            .distinct()
            .join(_statements, _statements.c.id == _lines.c.statement_id)
            .where(_statements.c.campaign_id == campaign_id, _lines.c.amount > over, ~held)
            .order_by(_lines.c.statement_id)
        )
        with self._engine.connect() as connection:
            return list(connection.scalars(query))

    def review(self, review_id: str) -> Review | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(_T).where(_T.c.id == review_id)).first()
        return None if row is None else _review(row._mapping)

    def reviews(
        self,
        statement_id: str | None = None,
        status: Collection[ReviewStatus] | None = None,
        shops: Collection[str] | None = None,
    ) -> list[Review]:
        query = select(_T).order_by(_T.c.held_at, _T.c.statement_id, _T.c.line_no).limit(2000)
        if statement_id is not None:
            query = query.where(_T.c.statement_id == statement_id)
        if status is not None:
            query = query.where(_T.c.status.in_(sorted(s.value for s in status)))
        if shops is not None:
            query = query.where(_T.c.shop.in_(sorted(shops)))
        with self._engine.connect() as connection:
            return [_review(row._mapping) for row in connection.execute(query)]

    def save(self, review: Review, seen: ReviewStatus) -> bool:
        row = _row(review)
        at = review.decided_at or review.prepared_at or review.held_at
        actor = review.decided_by or review.prepared_by
        with writing(self._engine) as connection:
            moved = connection.execute(
                update(_T).where(_T.c.id == review.id, _T.c.status == seen.value).values(**row)
            ).rowcount
            if moved != 1:
                return False
            record(
                connection,
                actor=actor,
                action=f"review.{review.status.value}",
                subject=f"review:{review.id}",
                before={"status": seen.value},
                after={"status": review.status.value, "note": review.note, "report": review.report},
                at=at,
            )
        return True


def _row(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "statement_id": review.statement_id,
        "line_no": review.line_no,
        "shop": review.shop,
        "campaign_id": review.campaign_id,
        "amount": review.amount,
        "entry_key": review.entry_key,
        "held_at": review.held_at,
        "refs": dict(review.refs),
        "status": review.status.value,
        "prepared_by": review.prepared_by,
        "prepared_at": review.prepared_at,
        "note": review.note,
        "decided_by": review.decided_by,
        "decided_at": review.decided_at,
        "report": review.report,
    }


def _review(row: Any) -> Review:
    return Review(
        id=row["id"],
        statement_id=row["statement_id"],
        line_no=row["line_no"],
        shop=row["shop"],
        campaign_id=row["campaign_id"],
        amount=row["amount"],
        entry_key=row["entry_key"],
        held_at=row["held_at"],
        refs=dict(row["refs"]),
        status=ReviewStatus(row["status"]),
        prepared_by=row["prepared_by"],
        prepared_at=row["prepared_at"],
        note=row["note"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        report=row["report"],
    )
