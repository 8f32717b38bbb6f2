"""Who is at the console: a server-side session of its own, named by a random id in an
HttpOnly cookie — never the API token, which is posted once to sign in and not kept.
A session ends at logout, after one shift, at its token's expiry, or when the
token is revoked (`services/access.py`).

Pages take the same staff roles as the API's reads; the kill switch the same
roles as the API's. A browser sends the cookie with any request, so every
state-changing request must also prove it came from the console's own pages:
it carries the `HX-Request` header, which a cross-site form cannot set and a
cross-site script cannot send without a CORS preflight that dacu never
answers, and its `Origin`, when the browser names one, must be dacu itself.
"""

from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from starlette.responses import Response

from dacu.domain.access import Principal, Role
from dacu.entrypoints.urls import is_secret
from dacu.entrypoints.web.context import backend

CONSOLE = "/console"
GOODS = f"{CONSOLE}/goods"
REBATES = f"{CONSOLE}/rebates"
LEDGER = f"{CONSOLE}/ledger"  # a merchant's own accounts
SHIPMENTS = f"{CONSOLE}/shipments"
SETTLEMENT = f"{CONSOLE}/settlement"  # a merchant's own statements
APPEALS = f"{CONSOLE}/appeals"
MERCHANT_PAGES = (GOODS, REBATES, LEDGER, SHIPMENTS, SETTLEMENT, APPEALS)
SESSION_COOKIE = "dacu_session"
STAFF = frozenset({Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE})
KILLERS = frozenset({Role.OPERATOR, Role.RISK})  # as the API's kill route
SIGNERS = STAFF | {Role.MERCHANT}  # a merchant signs in for their own goods only


class LoginNeeded(Exception):
    """No console session, or one that has ended."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class NotAllowed(PermissionError):
    """The signed-in role may not see this page or do this."""


class CrossSite(PermissionError):
    """A state-changing request that did not come from the console's own pages."""


def login_url(back_to: str = CONSOLE + "/") -> str:
    return f"{CONSOLE}/login?next={quote(back_to, safe='/')}"


def safe_next(asked: str | None) -> str:
    """Only back into the console: a login link must not send anyone elsewhere."""
    if asked and asked.startswith(CONSOLE + "/"):
        return asked
    return CONSOLE + "/"


def console_user(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in STAFF:
        raise NotAllowed("not_staff")
    return found


def signed_in(request: Request) -> Principal:
    """Whoever holds the session, staff or merchant (pages check their own roles)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    found = backend(request).access.session(session_id) if session_id else None
    if found is None:  # back here after signing in, never carrying a secret along
        kept = [(k, v) for k, v in request.query_params.multi_items() if not is_secret(k)]
        raise LoginNeeded(request.url.path + (f"?{urlencode(kept)}" if kept else ""))
    return found


def landing(role: Role, asked: str | None) -> str:
    """Where signing in leads: back where asked (inside the console); a merchant, whose
    console is their goods and rebates, to their goods unless asked for one of those."""
    target = safe_next(asked)
    if role is Role.MERCHANT and not target.startswith(MERCHANT_PAGES):
        return GOODS
    return target


UserDep = Annotated[Principal, Depends(console_user)]


def same_origin(request: Request) -> None:
    """Refuse a request whose browser says it came from another site."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin is not None and origin != own:
        raise CrossSite(f"origin {origin} is not {own}")
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        raise CrossSite("the browser says this request came from another site")


def from_console(request: Request) -> None:
    """A state-changing request made by the console's own scripts."""
    same_origin(request)
    if request.headers.get("hx-request") != "true":
        raise CrossSite("send this from the console page (HX-Request header missing)")


ConsolePost = Depends(from_console)


def keep_session(
    response: Response, request: Request, session_id: str, expires_at: datetime | None
) -> None:
    """The session's id in a cookie scripts cannot read, sent only to the console."""
    now = backend(request).clock()
    seconds = int((expires_at - now).total_seconds()) if expires_at else None
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=seconds,
        path=CONSOLE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def drop_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=CONSOLE, httponly=True, samesite="lax")
