"""Appeals in SQL (`AppealStore`). One open appeal per line is the unique `open_line`
(NULL once decided); a decision is a conditional UPDATE (`WHERE status = 'open'`), its
adjustment entry and its audit row in the same transaction."""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from dacu.adapters.audit import record
from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.tables import appeals
from dacu.domain.appeals import Appeal, AppealStateError, AppealStatus
from dacu.domain.errors import ConcurrentChange
from dacu.domain.ledger import Entry


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction; a database too busy to take it (SQLite's lock) is ConcurrentChange,
    nothing written, retrying safe. A unique key's IntegrityError is the caller's."""
    try:
        with engine.begin() as connection:
            yield connection
    except OperationalError as error:
        raise ConcurrentChange(f"the database was busy: {error.orig}") from None


class SqlAppealStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def file(self, appeal: Appeal) -> Appeal:
        try:
            with writing(self._engine) as connection:
                connection.execute(appeals.insert().values(**_row(appeal)))
            return appeal
        except IntegrityError:
            pass
        with self._engine.connect() as connection:
            kept = connection.execute(select(appeals).where(appeals.c.key == appeal.key)).first()
        if kept is not None:
            return _appeal(kept._mapping)
        line = f"line {appeal.line_no} of {appeal.statement_id}"
        raise AppealStateError(f"an appeal stands open for {line} already", "line_no")

    def appeal(self, appeal_id: str) -> Appeal | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(appeals).where(appeals.c.id == appeal_id)).first()
        return None if row is None else _appeal(row._mapping)

    def appeals(
        self, shops: Collection[str] | None = None, status: AppealStatus | None = None
    ) -> list[Appeal]:
        query = select(appeals).order_by(appeals.c.filed_at.desc(), appeals.c.id).limit(2000)
        if shops is not None:
            query = query.where(appeals.c.shop.in_(sorted(shops)))
        if status is not None:
            query = query.where(appeals.c.status == status.value)
        with self._engine.connect() as connection:
            return [_appeal(row._mapping) for row in connection.execute(query)]

    def decide(self, appeal: Appeal, entry: Entry | None) -> bool:
        with writing(self._engine) as connection:
            moved = connection.execute(
                update(appeals)
                .where(appeals.c.id == appeal.id, appeals.c.status == AppealStatus.OPEN.value)
                .values(
                    status=appeal.status.value,
                    open_line=None,
                    decided_by=appeal.decided_by,
                    decided_at=appeal.decided_at,
                    accepted=appeal.accepted,
                    report=appeal.report,
                )
            ).rowcount
            if moved != 1:
                return False
            if entry is not None:
                SqlLedgerBook(connection).post(entry)
            _audit(connection, appeal)
        return True


def _audit(connection: Connection, appeal: Appeal) -> None:
    assert appeal.decided_at is not None
    record(
        connection,
        actor=appeal.decided_by,
        action=f"appeal.{appeal.status.value}",
        subject=f"appeal:{appeal.id}",
        before={"status": AppealStatus.OPEN.value, "claimed": appeal.claimed},
        after={"status": appeal.status.value, "accepted": appeal.accepted, "report": appeal.report},
        at=appeal.decided_at,
    )


def _row(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.id,
        "key": appeal.key,
        "statement_id": appeal.statement_id,
        "line_no": appeal.line_no,
        "open_line": f"{appeal.statement_id}#{appeal.line_no}",
        "shop": appeal.shop,
        "campaign_id": appeal.campaign_id,
        "line_amount": appeal.line_amount,
        "claimed": appeal.claimed,
        "reason": appeal.reason,
        "evidence": list(appeal.evidence),
        "filed_by": appeal.filed_by,
        "filed_at": appeal.filed_at,
        "deadline": appeal.deadline,
        "status": appeal.status.value,
    }


def _appeal(row: Any) -> Appeal:
    return Appeal(
        id=row["id"],
        key=row["key"],
        statement_id=row["statement_id"],
        line_no=row["line_no"],
        shop=row["shop"],
        campaign_id=row["campaign_id"],
        line_amount=row["line_amount"],
        claimed=row["claimed"],
        reason=row["reason"],
        evidence=tuple(row["evidence"]),
        filed_by=row["filed_by"],
        filed_at=row["filed_at"],
        deadline=row["deadline"],
        status=AppealStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        accepted=row["accepted"],
        report=row["report"],
    )
