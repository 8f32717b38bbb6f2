"""Bearer tokens: only their SHA-256 is stored, so a leaked table leaks no token.

A token's id is the first 16 hex digits of its digest: printed when it is
issued, it names the token for `dacu token revoke` without the secret itself.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from dacu.adapters.tables import principals
from dacu.domain.access import TOKEN_TTL, Principal, Role

_ID = re.compile(r"^[0-9a-f]{16}$")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_id(token: str) -> str:
    return digest(token)[:16]


class SqlPrincipals:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def issue(
        self,
        subject: str,
        role: Role,
        shops: frozenset[str],
        now: datetime,
        ttl: timedelta = TOKEN_TTL,
    ) -> str:
        """A new token for `subject`, good for `ttl`; shown once, stored only as a digest."""
        token = new_token()
        with self._engine.begin() as connection:
            connection.execute(
                insert(principals).values(
                    token_hash=digest(token),
                    subject=subject,
                    role=role.value,
                    shops=sorted(shops),
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
        return token

    def find(self, token: str) -> Principal | None:
        """Who the token names, with its expiry; None if nobody was given it or it was
        revoked. Whether it has expired is the caller's question (their clock)."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(principals).where(
                    principals.c.token_hash == digest(token), principals.c.revoked_at.is_(None)
                )
            ).one_or_none()
        if row is None:
            return None
        expires_at = row.expires_at or row.created_at + TOKEN_TTL  # issued before expiry was
        return Principal(row.subject, Role(row.role), frozenset(row.shops), expires_at)

    def revoke(self, token_or_id: str, now: datetime) -> str | None:
        """Revoke the token (given whole, or by its id); its digest, or None if no token
        matches. Revoking again changes nothing and still answers the digest."""
        if _ID.match(token_or_id):
            match = principals.c.token_hash.startswith(token_or_id, autoescape=True)
        else:
            match = principals.c.token_hash == digest(token_or_id)
        with self._engine.begin() as connection:
            found = connection.execute(select(principals.c.token_hash).where(match)).scalars().all()
            if len(found) != 1:
                return None  # none, or (never yet) an id two digests share: name it whole
            connection.execute(
                update(principals)
                .where(principals.c.token_hash == found[0], principals.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        return str(found[0])


def new_token() -> str:
    """32 characters of base64url that never begin with '-', so a token pasted on a
    command line (`dacu token revoke TOKEN`) is never read as an option."""
    while True:
        token = secrets.token_urlsafe(24)
        if not token.startswith("-"):
            return token
