"""Getting in: tokens issued for a time and revoked at once; console sessions of their own.

An API token names a principal until it expires or is revoked. The console
never keeps the token: signing in with one opens a server-side session (a
random id in an HttpOnly cookie) that ends at logout, after one shift, at
the token's own expiry, or when the token is revoked — whichever is first.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from dacu.domain.access import SESSION_TTL, TOKEN_TTL, Principal, Role
from dacu.services.ports.access import ConsoleSessions, Forget, Tokens


@dataclass(frozen=True, slots=True)
class Issued:
    token: str
    id: str  # names the token for revocation without the secret
    expires_at: datetime


class AccessService:
    def __init__(
        self,
        tokens: Tokens,
        sessions: ConsoleSessions,
        forget: Forget,
        clock: Callable[[], datetime],
        token_id: Callable[[str], str],
    ) -> None:
        self._tokens, self._sessions, self._forget = tokens, sessions, forget
        self._clock, self._token_id = clock, token_id

    def issue(
        self,
        subject: str,
        role: Role,
        shops: frozenset[str] = frozenset(),
        ttl: timedelta = TOKEN_TTL,
    ) -> Issued:
        now = self._clock()
        token = self._tokens.issue(subject, role, shops, now, ttl)
        return Issued(token, self._token_id(token), now + ttl)

    def find(self, token: str) -> Principal | None:
        """Who the token names now; None if unknown, revoked or expired."""
        found = self._tokens.find(token)
        return None if found is None or found.expired(self._clock()) else found

    def revoke(self, token_or_id: str) -> bool:
        """Revoke a token everywhere at once: the database, every process's cache, and
        every console session opened with it. False if no token matches."""
        revoked = self._tokens.revoke(token_or_id, self._clock())
        if revoked is None:
            return False
        self._forget(revoked)
        return True

    def sign_in(self, token: str) -> tuple[str, Principal] | None:
        """A console session for the token's principal, and who holds it until when; None
        for a token that names nobody now."""
        found = self.find(token)
        if found is None:
            return None
        now = self._clock()
        ends = now + SESSION_TTL
        if found.expires_at is not None:
            ends = min(ends, found.expires_at)
        return self._sessions.open(token, found, now, ends), replace(found, expires_at=ends)

    def session(self, session_id: str) -> Principal | None:
        return self._sessions.find(session_id, self._clock())

    def sign_out(self, session_id: str) -> None:
        self._sessions.close(session_id, self._clock())
