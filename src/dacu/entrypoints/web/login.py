"""Signing in to the console with a token, by the form only: a token never travels in a
URL (where browsers, proxies and access logs keep it); the console keeps a session of its
own instead (`session.py`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from dacu.entrypoints.web.context import backend
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import (
    CONSOLE,
    SESSION_COOKIE,
    SIGNERS,
    drop_session,
    keep_session,
    landing,
    safe_next,
    same_origin,
)

router = APIRouter(prefix=CONSOLE, include_in_schema=False)


@router.get("/login")
def login_page(
    request: Request, back_to: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The form (anything else in the query, a token included, is ignored)."""
    return page(request, "login.html", {"next": safe_next(back_to), "failed": None})


@router.post("/login", dependencies=[Depends(same_origin)])
def login_form(
    request: Request,
    token: Annotated[str, Form()],
    back_to: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    access = backend(request).access
    found = access.find(token.strip())
    if found is None or found.role not in SIGNERS:
        failed = "bad_token" if found is None else "not_staff"
        context = {"next": safe_next(back_to), "failed": failed}
        return page(request, "login.html", context, status=401)
    opened = access.sign_in(token.strip())
    assert opened is not None  # found a moment ago
    session_id, who = opened
    response = RedirectResponse(landing(who.role, back_to), status_code=303)
    keep_session(response, request, session_id, who.expires_at)
    return response


@router.post("/logout", dependencies=[Depends(same_origin)])
def logout(request: Request) -> Response:
    """End the session on the server, not only in this browser."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        backend(request).access.sign_out(session_id)
    response = RedirectResponse(f"{CONSOLE}/login", status_code=303)
    drop_session(response)
    return response
