"""Tokens and console sessions in memory, held as the SQL stores hold them."""

import hashlib
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from dacu.domain.access import Principal, Role


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass
class FakeTokens:
    issued: dict[str, Principal] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    _next: itertools.count = field(default_factory=itertools.count)

    def issue(
        self, subject: str, role: Role, shops: frozenset[str], now: datetime, ttl: timedelta
    ) -> str:
        token = f"token-{next(self._next)}"
        self.issued[token] = Principal(subject, role, shops, now + ttl)
        return token

    def find(self, token: str) -> Principal | None:
        return None if token in self.revoked else self.issued.get(token)

    def revoke(self, token_or_id: str, now: datetime) -> str | None:
        for token in self.issued:
            if token_or_id in (token, token_id(token)):
                self.revoked.add(token)
                return hashlib.sha256(token.encode()).hexdigest()
        return None


@dataclass
class FakeSessions:
    tokens: FakeTokens
    open_: dict[str, tuple[str, Principal]] = field(default_factory=dict)
    _next: itertools.count = field(default_factory=itertools.count)

    def open(self, token: str, who: Principal, now: datetime, expires_at: datetime) -> str:
        session_id = f"session-{next(self._next)}"
        self.open_[session_id] = (token, replace(who, expires_at=expires_at))
        return session_id

    def find(self, session_id: str, now: datetime) -> Principal | None:
        token, who = self.open_.get(session_id, ("", None))
        if who is None or who.expired(now) or token in self.tokens.revoked:
            return None
        return who

    def close(self, session_id: str, now: datetime) -> None:
        self.open_.pop(session_id, None)

    def prune(self, now: datetime) -> int:
        ended = [i for i, (_, who) in self.open_.items() if who.expired(now)]
        for session_id in ended:
            del self.open_[session_id]
        return len(ended)
