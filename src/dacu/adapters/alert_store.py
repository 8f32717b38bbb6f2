"""Alerts for operators, raised once per standing condition and cleared when it ends."""

from datetime import datetime

from sqlalchemy import Engine, select, update

from dacu.adapters.sql import insert_for
from dacu.adapters.tables import alerts
from dacu.domain.alerts import Alert


class SqlAlertStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def raise_alert(self, subject: str, kind: str, level: str, message: str, now: datetime) -> bool:
        """Raise the alert unless it stands already; True if this call raised it."""
        with self._engine.begin() as connection:
            made = connection.execute(
                insert_for(connection, alerts)
                .values(
                    subject=subject,
                    kind=kind,
                    level=level,
                    message=message,
                    raised_at=now,
                    open_key=f"{subject}|{kind}",
                )
                .on_conflict_do_nothing()
                .returning(alerts.c.id)
            )
            return made.first() is not None

    def clear_alert(self, subject: str, kind: str, now: datetime) -> bool:
        with self._engine.begin() as connection:
            done = connection.execute(
                update(alerts)
                .where(alerts.c.open_key == f"{subject}|{kind}")
                .values(open_key=None, cleared_at=now)
            )
        return done.rowcount == 1

    def alerts(self, subject: str | None = None, standing: bool = False) -> list[Alert]:
        query = select(alerts).order_by(alerts.c.raised_at.desc(), alerts.c.id.desc())
        if subject is not None:
            query = query.where(alerts.c.subject == subject)
        if standing:
            query = query.where(alerts.c.open_key.is_not(None))
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Alert(r.id, r.subject, r.kind, r.level, r.message, r.raised_at, r.cleared_at)
            for r in rows
        ]
