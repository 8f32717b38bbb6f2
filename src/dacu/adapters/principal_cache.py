"""Tokens' principals kept hot, so the flash-sale hot path reads no database.

A principal is kept in this process for a minute and in Redis for an hour,
under the token's SHA-256 (Redis never sees a token). Only a token not seen
for an hour is looked up in the database, once, then shared by every process.

Each kept principal carries its token's expiry, checked by the caller on
every request. A revocation (`forget`) overwrites the shared entry with a
tombstone, which a process that read the database just before cannot
overwrite (it writes only where nothing is), and bumps a counter that every
process reads at most once a second, dropping what it keeps when it moves:
a revoked token stops working everywhere within a second. Without Redis a
principal is kept only a second, for the same bound.
"""

import hashlib
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime

from dacu.adapters.redis_connect import FAILURES, AsyncClient, Client
from dacu.domain.access import Principal, Role

_LOCAL_SECONDS = 60.0
_LOCAL_SECONDS_ALONE = 1.0  # no Redis to hear of revocations from
_CHECK_EVERY = 1.0
_SHARED_SECONDS = 3600
_LOCAL_MAX = 200_000
_REVOKED = "revoked"


class PrincipalCache:
    def __init__(self, client: AsyncClient | None, prefix: str = "dacu") -> None:
        self._client = client
        self._prefix = prefix
        self._local: dict[str, tuple[float, Principal]] = {}
        self._keep = _LOCAL_SECONDS if client is not None else _LOCAL_SECONDS_ALONE
        self._revocations: bytes | str | None = None
        self._checked = 0.0

    async def find(
        self, token: str, load: Callable[[str], Awaitable[Principal | None]]
    ) -> Principal | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        await self._hear_revocations()
        kept = self._local.get(digest)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        known, found = await self._shared(digest)
        if not known:
            found = await load(token)
            if found is None:
                return None
            if self._client is not None:
                key = principal_key(self._prefix, digest)
                with suppress(*FAILURES):  # the database answered; sharing is a bonus
                    await self._client.set(key, _encode(found), ex=_SHARED_SECONDS, nx=True)
        if found is None:
            return None
        if len(self._local) >= _LOCAL_MAX:
            self._local.clear()
        self._local[digest] = (time.monotonic() + self._keep, found)
        return found

    async def _hear_revocations(self) -> None:
        if self._client is None or time.monotonic() < self._checked + _CHECK_EVERY:
            return
        self._checked = time.monotonic()
        try:
            seen = await self._client.get(revocations_key(self._prefix))
        except FAILURES:
            self._local.clear()  # cannot hear of revocations: keep nothing meanwhile
            return
        if seen != self._revocations:
            self._local.clear()
            self._revocations = seen

    async def _shared(self, digest: str) -> tuple[bool, Principal | None]:
        """(whether Redis knows the token, its principal: None for a revoked one)."""
        if self._client is None:
            return False, None
        try:
            found = await self._client.get(principal_key(self._prefix, digest))
        except FAILURES:
            return False, None  # Redis is away: ask the database
        if found is None:
            return False, None
        try:
            return True, _decode(found)
        except ValueError:
            return False, None  # written by an older release: ask the database


def principal_key(prefix: str, digest: str) -> str:
    return f"{prefix}:principal:{digest}"


def revocations_key(prefix: str) -> str:
    return f"{prefix}:principal-revocations"


def forget(client: Client, prefix: str, digest: str) -> None:
    """Tell every process's cache that the token of `digest` is revoked: the tombstone
    first, then the counter, so a process that hears of it reads the tombstone (the two
    keys may live on two nodes of a cluster: no transaction spans them)."""
    client.set(principal_key(prefix, digest), _REVOKED, ex=_SHARED_SECONDS)
    client.incr(revocations_key(prefix))


def _encode(principal: Principal) -> str:
    shops = ",".join(sorted(principal.shops))
    expires = principal.expires_at.isoformat() if principal.expires_at else ""
    return f"{principal.subject}|{principal.role.value}|{shops}|{expires}"


def _decode(value: bytes | str) -> Principal | None:
    text = value.decode() if isinstance(value, bytes) else value
    if text == _REVOKED:
        return None
    subject, role, shops, expires = text.rsplit("|", 3)
    return Principal(
        subject,
        Role(role),
        frozenset(s for s in shops.split(",") if s),
        datetime.fromisoformat(expires) if expires else None,
    )
