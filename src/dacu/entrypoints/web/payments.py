"""The payment channels (主通道 and 备用支付通道) and the operator's switch between them."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Role
from dacu.domain.payments import UnknownChannel
from dacu.entrypoints.web.context import PageMissing, backend
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, UserDep

router = APIRouter(prefix=f"{CONSOLE}/payments", include_in_schema=False)

SWITCHERS = frozenset({Role.OPERATOR})  # as the API's switch


@router.get("")
def channels_page(request: Request, who: UserDep) -> HTMLResponse:
    context = {**_channels(request), "notice": None, "may_switch": who.role in SWITCHERS}
    return page(request, "payments.html", context, who=who)


@router.post("/switch", dependencies=[ConsolePost])
def switch(
    channel: Annotated[str, Form(max_length=32)],
    request: Request,
    who: UserDep,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """The API's switch, from the console: the same service call, audited the same way."""
    if who.role not in SWITCHERS:
        raise NotAllowed("switch_roles")
    found = backend(request)
    try:
        found.payments.channels.switch(
            channel, who.subject, reason or "switched in the console", found.clock()
        )
    except UnknownChannel:
        raise PageMissing(channel) from None
    context = {**_channels(request), "notice": ("switched_now", channel), "may_switch": True}
    return page(request, "_payments.html", context, who=who)


def _channels(request: Request) -> dict[str, Any]:
    found = backend(request)
    view = found.payments.channels.view(found.clock())
    rows = [
        {
            "name": name,
            "role": role,
            "active": name == view.active,
            "errors": view.errors.get(name, 0),
        }
        for name, role in ((view.primary, "primary"), (view.backup, "backup"))
    ]
    return {"rows": rows, "view": view}
