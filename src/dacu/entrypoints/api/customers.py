"""Customer routes: a one-time code by text message, signing in with it (a token of the
customer's own), the customer's profile, and member tiers set by operators.

Only asking for a code and signing in take no token. The code never comes back
in an answer: it goes to the phone (`Messages`). The client's address that
asking is counted against is the connection's own: the server believes an
X-Forwarded-For header only from the proxies its settings trust (uvicorn's
`FORWARDED_ALLOW_IPS`, by default a proxy on the same host), never from a client.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.domain.acquisition import SignUpCodes
from dacu.domain.registration import Profile, RateLimited, masked
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.api.errors import error_response
from dacu.entrypoints.api.identity import DeviceId, identity_of
from dacu.schemas.bounds import PRINTABLE, Id
from dacu.schemas.carts import Strict

router = APIRouter(prefix="/v1/customers", tags=["customers"])

Phone = Annotated[
    str,
    Field(min_length=1, max_length=32, pattern=PRINTABLE, description="a mainland mobile"),
]
Code = Annotated[str, Field(min_length=1, max_length=16, pattern=PRINTABLE)]
SignUpCode = Annotated[str, Field(max_length=32, pattern=PRINTABLE)]  # empty: none given


class CodeIn(Strict):
    phone: Phone


class CodeOut(BaseModel):
    phone: str  # masked: 138****0000
    expires_at: datetime
    resend_after: int  # seconds


class SessionIn(Strict):
    phone: Phone
    code: Code
    # honoured only when the phone is new; an unknown one is noted in `codes`, not refused
    invite_code: SignUpCode | None = Field(None, description="邀请码 of the member who invited")
    merchant_code: SignUpCode | None = Field(None, description="商家码 of the shop that brought")
    share: SignUpCode | None = Field(None, description="the token of the share link followed")


class SessionOut(BaseModel):
    token: str
    customer_id: str
    expires_at: datetime
    new: bool  # registered just now
    codes: dict[str, str] = {}  # each code given → accepted, unknown, own, not_new, superseded


class ProfileOut(BaseModel):
    id: str
    phone: str | None  # masked
    phone_verified: bool
    member_tier: str | None
    registered_at: datetime | None


class TierIn(Strict):
    tier: Id | None = Field(description="the member tier; null for none")


def _out(profile: Profile) -> ProfileOut:
    return ProfileOut(
        id=profile.id,
        phone=masked(profile.phone),
        phone_verified=profile.phone_verified,
        member_tier=profile.member_tier,
        registered_at=profile.registered_at,
    )


@router.post(
    "/codes",
    status_code=202,
    response_model=CodeOut,
    responses={429: {"description": "rate_limited: asked too often (Retry-After)"}},
)
def request_code(body: CodeIn, request: Request, backend: PlatformDep) -> CodeOut | JSONResponse:
    """Send a sign-in code to a mainland mobile: one a minute and ten a day per phone,
    twenty an hour per client address. The code is in the text message only."""
    address = request.client.host if request.client else ""
    try:
        sent = backend.registration.request_code(body.phone, address)
    except RateLimited as refused:
        headers = {"Retry-After": str(refused.retry_after)}
        return error_response(refused.code, refused.message, refused.field, headers)
    return CodeOut(
        phone=masked(sent.phone) or "", expires_at=sent.expires_at, resend_after=sent.resend_after
    )


@router.post("/sessions", status_code=201, response_model=SessionOut)
def sign_in(
    body: SessionIn, request: Request, backend: PlatformDep, device: DeviceId = None
) -> SessionOut:
    """Give back the code: a new phone registers, a known one signs in; either way a
    consumer token of the customer's own, good for 30 days. The risk check is asked
    with the device and address; a registration it blocks signs in with no rewards."""
    codes = SignUpCodes(body.invite_code, body.merchant_code, body.share)
    identity = identity_of(request, None)
    signed = backend.registration.verify(body.phone, body.code, codes, identity)
    return SessionOut(
        token=signed.token,
        customer_id=signed.customer_id,
        expires_at=signed.expires_at,
        new=signed.new,
        codes=signed.codes,
    )


@router.get("/me", response_model=ProfileOut)
def me(backend: PlatformDep, who: PrincipalDep) -> ProfileOut:
    """The signed-in customer as the server knows them (the phone masked)."""
    who.require(Role.CONSUMER)
    return _out(backend.registration.profile(who.subject))


@router.put("/{customer_id}/tier", response_model=ProfileOut)
def set_tier(customer_id: Id, body: TierIn, backend: PlatformDep, who: PrincipalDep) -> ProfileOut:
    """Set a customer's member tier (operators only; audited)."""
    who.require(Role.OPERATOR)
    return _out(backend.registration.set_tier(customer_id, body.tier, who.subject))
