"""Who a request that moves money came from, as the server sees it (`Identity`).

- the device: the client's `X-Device-Id` header (1–64 printable characters; a
  client that sends none has none), a label the app keeps for its install;
- the address: the connection's own. The server believes an X-Forwarded-For
  header only from the proxies its settings trust (uvicorn's
  `FORWARDED_ALLOW_IPS`), never from a client, as sign-in codes are counted;
- the phone: the customer's verified phone from the server's profile, never
  from the body.

A delivery address (checkout's `address`) and the payment channel's paying
account (its callback) join the identity where they are known.
"""

from typing import Annotated

from fastapi import Header, Request

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.errors import InvalidRule
from dacu.domain.risk import Identity
from dacu.schemas.bounds import PRINTABLE
from dacu.services.risk_gate import RiskGate

MAX_DEVICE = 64
DEVICE_HEADER = "X-Device-Id"
DEVICE_DOC = (
    "the client's device id (1–64 printable characters), the same on every request "
    "from one install; the risk check links accounts that share one"
)

DeviceId = Annotated[
    str | None,
    Header(
        alias=DEVICE_HEADER,
        min_length=1,
        max_length=MAX_DEVICE,
        pattern=PRINTABLE,
        description=DEVICE_DOC,
    ),
]

DEVICE_PARAMETER = {
    "name": DEVICE_HEADER,
    "in": "header",
    "required": False,
    "description": DEVICE_DOC,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_DEVICE, "pattern": PRINTABLE},
}
"""The header as OpenAPI describes it, for routes that read it by hand (the hot path)."""


def device_of(request: Request) -> str:
    """The `X-Device-Id` header, checked by hand (the hot path skips FastAPI's)."""
    given = request.headers.get(DEVICE_HEADER, "")
    if len(given) > MAX_DEVICE or not given.isprintable():
        raise InvalidRule(DEVICE_HEADER, f"must be at most {MAX_DEVICE} printable characters")
    return given


def address_of(request: Request) -> str:
    """The connection's address (a trusted proxy's X-Forwarded-For already applied)."""
    return request.client.host[:64] if request.client else ""


def identity_of(
    request: Request, principal: Principal | None, platform: Platform | None = None
) -> Identity:
    """The request's identity: its device, its address and, given the platform, the
    signed-in customer's verified phone (one read of their profile)."""
    phone = ""
    if platform is not None and principal is not None and principal.role is Role.CONSUMER:
        profile = platform.registration.profile(principal.subject)
        phone = profile.phone or "" if profile.phone_verified else ""
    return Identity(device=device_of(request), ip=address_of(request), phone=phone)


def staff_identity(request: Request) -> Identity:
    """A merchant's request as the risk links see it: its device (a bad header: none) and
    its address."""
    given = request.headers.get(DEVICE_HEADER, "")
    device = given if len(given) <= MAX_DEVICE and given.isprintable() else ""
    return Identity(device=device, ip=address_of(request))


def gate_of(platform: Platform) -> RiskGate:
    gate = platform.risk_gate
    assert gate is not None, "bootstrap wires the risk gate"
    return gate
