"""Signing in to the console with a token, by form or by a one-click link."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from dacu.entrypoints.web.context import backend
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import (
    CONSOLE,
    STAFF,
    drop_token,
    keep_token,
    safe_next,
    same_origin,
)

router = APIRouter(prefix=CONSOLE, include_in_schema=False)


@router.get("/login")
def login_page(
    request: Request,
    token: str | None = None,
    back_to: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """The form; with `?token=` (a link a CLI prints), signs in at once instead."""
    if token:
        return _sign_in(request, token, back_to)
    return page(request, "login.html", {"next": safe_next(back_to), "failed": None})


@router.post("/login", dependencies=[Depends(same_origin)])
def login_form(
    request: Request,
    token: Annotated[str, Form()],
    back_to: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    return _sign_in(request, token.strip(), back_to)


@router.post("/logout", dependencies=[Depends(same_origin)])
def logout() -> Response:
    response = RedirectResponse(f"{CONSOLE}/login", status_code=303)
    drop_token(response)
    return response


def _sign_in(request: Request, token: str, back_to: str | None) -> Response:
    found = backend(request).principals.find(token)
    if found is None or found.role not in STAFF:
        failed = "bad_token" if found is None else "not_staff"
        context = {"next": safe_next(back_to), "failed": failed}
        return page(request, "login.html", context, status=401)
    response = RedirectResponse(safe_next(back_to), status_code=303)
    keep_token(response, request, token)
    return response
