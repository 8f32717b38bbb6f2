"""The audit log: every change, who made it, when, and what it was before and after."""

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from dacu.adapters.tables import audit_log


def record(
    connection: Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    before: Any,
    after: Any,
    at: datetime,
) -> None:
    connection.execute(
        insert(audit_log).values(
            at=at, actor=actor, action=action, subject=subject, before=before, after=after
        )
    )


def history(engine: Engine, subject: str) -> list[dict[str, Any]]:
    """Entries about `subject`, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log).where(audit_log.c.subject == subject).order_by(audit_log.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]
