"""Bearer tokens: only their SHA-256 is stored, so a leaked table leaks no token."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Engine, insert, select

from dacu.adapters.tables import principals
from dacu.domain.access import Principal, Role


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlPrincipals:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def issue(self, subject: str, role: Role, shops: frozenset[str], now: datetime) -> str:
        """A new token for `subject`; shown once, stored only as a digest."""
        token = secrets.token_urlsafe(24)
        with self._engine.begin() as connection:
            connection.execute(
                insert(principals).values(
                    token_hash=_digest(token),
                    subject=subject,
                    role=role.value,
                    shops=sorted(shops),
                    created_at=now,
                )
            )
        return token

    def find(self, token: str) -> Principal | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(principals).where(principals.c.token_hash == _digest(token))
            ).one_or_none()
        if row is None:
            return None
        return Principal(row.subject, Role(row.role), frozenset(row.shops))
