"""Who may get in: bearer tokens, and the console's own sessions."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from dacu.domain.access import Principal, Role


class Tokens(Protocol):
    def issue(
        self, subject: str, role: Role, shops: frozenset[str], now: datetime, ttl: timedelta
    ) -> str:
        """A new token, stored only as a digest; shown once."""
        ...

    def find(self, token: str) -> Principal | None:
        """Who the token names (with its expiry); None if unknown or revoked."""
        ...

    def revoke(self, token_or_id: str, now: datetime) -> str | None:
        """Revoke a token named whole or by its id; its digest, or None if none matches."""
        ...


class ConsoleSessions(Protocol):
    def open(self, token: str, who: Principal, now: datetime, expires_at: datetime) -> str:
        """A new session id for `who`, signed in with `token`."""
        ...

    def find(self, session_id: str, now: datetime) -> Principal | None:
        """Who holds the session; None once it expired, was closed or its token revoked."""
        ...

    def close(self, session_id: str, now: datetime) -> None: ...


Forget = Callable[[str], None]
"""Tell every process's token cache that the token of this digest is revoked."""
