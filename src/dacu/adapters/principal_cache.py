"""Tokens' principals kept hot, so the flash-sale hot path reads no database.

A principal is kept in this process for a minute and in Redis for an hour,
under the token's SHA-256 (Redis never sees a token). Only a token not seen
for an hour is looked up in the database, once, then shared by every process.
"""

import hashlib
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from dacu.domain.access import Principal, Role

_LOCAL_SECONDS = 60.0
_SHARED_SECONDS = 3600
_LOCAL_MAX = 200_000


class PrincipalCache:
    def __init__(self, client: aioredis.Redis | None, prefix: str = "dacu") -> None:
        self._client = client
        self._prefix = prefix
        self._local: dict[str, tuple[float, Principal]] = {}

    async def find(
        self, token: str, load: Callable[[str], Awaitable[Principal | None]]
    ) -> Principal | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        kept = self._local.get(digest)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        found = await self._shared(digest)
        if found is None:
            found = await load(token)
            if found is None:
                return None
            if self._client is not None:
                key = f"{self._prefix}:principal:{digest}"
                with suppress(RedisError):  # the database answered; sharing is a bonus
                    await self._client.set(key, _encode(found), ex=_SHARED_SECONDS)
        if len(self._local) >= _LOCAL_MAX:
            self._local.clear()
        self._local[digest] = (time.monotonic() + _LOCAL_SECONDS, found)
        return found

    async def _shared(self, digest: str) -> Principal | None:
        if self._client is None:
            return None
        try:
            found = await self._client.get(f"{self._prefix}:principal:{digest}")
        except RedisError:
            return None  # Redis is away: ask the database
        return None if found is None else _decode(found)


def _encode(principal: Principal) -> str:
    return f"{principal.subject}|{principal.role.value}|{','.join(sorted(principal.shops))}"


def _decode(value: bytes | str) -> Principal:
    text = value.decode() if isinstance(value, bytes) else value
    subject, role, shops = text.rsplit("|", 2)
    return Principal(subject, Role(role), frozenset(s for s in shops.split(",") if s))
