"""What every request may need: the stores, the clock, and who is asking."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.coupon_store import SqlCouponStore
from dacu.adapters.enrollment_store import SqlEnrollmentStore
from dacu.adapters.order_store import SqlOrderStore
from dacu.adapters.principals import SqlPrincipals
from dacu.domain.access import Principal


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


BackendDep = Annotated[Backend, Depends(backend)]
PrincipalDep = Annotated[Principal, Depends(principal)]
