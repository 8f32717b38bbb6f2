"""The blacklist the review desk writes (`Blacklist`): one row per (kind, value), listed
again with the later reason and expiry; every change audited."""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.engine import Connection

from dacu.adapters.audit import record
from dacu.adapters.tables import risk_desk_blacklist
from dacu.services.ports.risk_reviews import BlacklistEntry

T = risk_desk_blacklist.c


class SqlBlacklist:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, entry: BlacklistEntry) -> None:
        with self._engine.begin() as connection:
            before = _entry_of(connection, entry.kind, entry.value)
            connection.execute(
                delete(risk_desk_blacklist).where(T.kind == entry.kind, T.value == entry.value)
            )
            connection.execute(
                risk_desk_blacklist.insert().values(
                    kind=entry.kind,
                    value=entry.value,
                    reason=entry.reason,
                    by=entry.by,
                    at=entry.at,
                    until=entry.until,
                )
            )
            _audit(connection, "blacklist.add", entry.kind, entry.value, entry.by, entry.at,
                   before, _dump(entry))  # fmt: skip

    def remove(self, kind: str, value: str, by: str, at: datetime) -> bool:
        with self._engine.begin() as connection:
            before = _entry_of(connection, kind, value)
            if before is None:
                return False
            connection.execute(delete(risk_desk_blacklist).where(T.kind == kind, T.value == value))
            _audit(connection, "blacklist.remove", kind, value, by, at, before, None)
        return True

    def entries(self, now: datetime, limit: int = 500) -> list[BlacklistEntry]:
        query = (
            select(risk_desk_blacklist)
            .where(or_(T.until.is_(None), T.until > now))
            .order_by(T.at.desc(), T.kind, T.value)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_entry(row._mapping) for row in connection.execute(query)]


def _entry_of(connection: Connection, kind: str, value: str) -> dict[str, Any] | None:
    row = connection.execute(
        select(risk_desk_blacklist).where(T.kind == kind, T.value == value)
    ).first()
    return None if row is None else _dump(_entry(row._mapping))


def _audit(
    connection: Connection,
    action: str,
    kind: str,
    value: str,
    by: str,
    at: datetime,
    before: Any,
    after: Any,
) -> None:
    subject = f"blacklist:{kind}:{value}"[:128]
    record(connection, actor=by, action=action, subject=subject, before=before, after=after, at=at)


def _dump(entry: BlacklistEntry) -> dict[str, Any]:
    until = None if entry.until is None else entry.until.isoformat()
    return {"reason": entry.reason, "by": entry.by, "until": until}


def _entry(row: Any) -> BlacklistEntry:
    return BlacklistEntry(
        kind=row["kind"],
        value=row["value"],
        reason=row["reason"],
        by=row["by"],
        at=row["at"],
        until=row["until"],
    )
