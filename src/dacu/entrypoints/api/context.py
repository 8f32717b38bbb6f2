"""What every request may need: the platform's services, the clock, and who is asking."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role, Unauthenticated
from dacu.entrypoints.api.identity import staff_identity


def backend(request: Request) -> Platform:
    found: Platform = request.app.state.platform
    return found


_bearer = HTTPBearer(auto_error=False, description="a token from `dacu token issue`")


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from the token cache (async: no thread hop, no database read for a token
    seen lately)."""
    if credentials is None:
        raise Unauthenticated("send Authorization: Bearer <token>")
    platform = backend(request)
    found = await _known(platform, credentials.credentials)
    gate = platform.risk_gate
    if found.role is Role.MERCHANT and gate is not None:
        identity = staff_identity(request)
        if gate.staff_due(found.subject, identity):  # told off the loop: it may ask Redis
            await run_in_threadpool(gate.staff_seen, found.subject, identity)
    return found


async def _backend(request: Request) -> Platform:
    return backend(request)  # async: FastAPI would run a plain function in a thread


PlatformDep = Annotated[Platform, Depends(_backend)]
PrincipalDep = Annotated[Principal, Depends(principal)]


async def hot_principal(request: Request) -> Principal:
    """The caller, from the token cache: no database read for a token seen lately.

    Called directly by the hot routes (FastAPI's dependency machinery costs
    them more than the rest of their work); they declare bearer auth in
    their OpenAPI instead.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send Authorization: Bearer <token>")
    return await _known(backend(request), token)


async def _known(platform: Platform, token: str) -> Principal:
    async def load(token: str) -> Principal | None:
        return await run_in_threadpool(platform.principals.find, token)

    found = await platform.tokens.find(token, load)
    if found is None:
        raise Unauthenticated("that token is not known")
    if found.expired(platform.clock()):
        raise Unauthenticated("that token has expired")
    return found


HOT_SECURITY: dict[str, Any] = {"security": [{"HTTPBearer": []}]}
