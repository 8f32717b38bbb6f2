"""The console's sessions in SQL: a random id in the browser's cookie, its digest here.

A session names who signed in and ends at its `expires_at`, at logout, or
when the token it was opened with is revoked (read through the join, so a
revocation ends every console session of that token at once).
"""

import secrets
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from dacu.adapters.principals import digest
from dacu.adapters.tables import console_sessions, principals
from dacu.domain.access import Principal, Role


class SqlConsoleSessions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(self, token: str, who: Principal, now: datetime, expires_at: datetime) -> str:
        """A new session for `who`, signed in with `token`; the id is shown only to the
        browser that signed in."""
        session_id = secrets.token_urlsafe(32)
        with self._engine.begin() as connection:
            connection.execute(
                insert(console_sessions).values(
                    session_hash=digest(session_id),
                    token_hash=digest(token),
                    subject=who.subject,
                    role=who.role.value,
                    shops=sorted(who.shops),
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return session_id

    def find(self, session_id: str, now: datetime) -> Principal | None:
        """Who holds this live session; None once it expired, was closed or its token revoked."""
        sessions = console_sessions
        query = (
            select(sessions)
            .join(principals, principals.c.token_hash == sessions.c.token_hash)
            .where(
                sessions.c.session_hash == digest(session_id),
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > now,
                principals.c.revoked_at.is_(None),
            )
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            return None
        return Principal(row.subject, Role(row.role), frozenset(row.shops), row.expires_at)

    def close(self, session_id: str, now: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(console_sessions)
                .where(
                    console_sessions.c.session_hash == digest(session_id),
                    console_sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
