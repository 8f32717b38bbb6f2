"""What every request may need: the stores, the clock, and who is asking."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.order_store import SqlOrderStore
from dacu.adapters.principal_cache import PrincipalCache
from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.redis_gate import AsyncRedisGate
from dacu.domain.access import Principal
from dacu.domain.flashsale import StockGate


class Unauthenticated(Exception):
    """No bearer token, or one nobody was given."""


@dataclass(frozen=True, slots=True)
class Backend:
    campaigns: SqlCampaignStore
    coupons: SqlCouponStore
    orders: SqlOrderStore
    enrollments: SqlEnrollmentStore
    principals: SqlPrincipals
    clock: Callable[[], datetime]
    flash: SqlFlashStore
    gate: StockGate  # for everything but the hot path
    hot_gate: AsyncRedisGate | None  # the hot path's gate, with Redis; else `gate` in a thread
    tokens: PrincipalCache
    kpis: SqlKpiStore
    alerts: SqlAlertStore


def backend(request: Request) -> Backend:
    found: Backend = request.app.state.backend
    return found


_bearer = HTTPBearer(auto_error=False, description="a token from `dacu token issue`")


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("send Authorization: Bearer <token>")
    found = backend(request).principals.find(credentials.credentials)
    if found is None:
        raise Unauthenticated("that token is not known")
    return found


async def _backend(request: Request) -> Backend:
    return backend(request)  # async: FastAPI would run a plain function in a thread


BackendDep = Annotated[Backend, Depends(_backend)]
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
    found_in = backend(request)

    async def load(token: str) -> Principal | None:
        return await run_in_threadpool(found_in.principals.find, token)

    found = await found_in.tokens.find(token, load)
    if found is None:
        raise Unauthenticated("that token is not known")
    return found


HOT_SECURITY: dict[str, Any] = {"security": [{"HTTPBearer": []}]}
