"""关联账户: risk and operators look an account up and see its cluster (size, age), the
identifiers it was seen with — masked to their kind and a short hash — with how many
accounts share each, and the cluster's members page by page. The service is the
API's (`LinkDesk` over `platform.risk_links`)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Role
from dacu.domain.errors import DomainError
from dacu.entrypoints.web.context import backend
from dacu.entrypoints.web.i18n_risk_links import RISK_LINK_LABELS
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, NotAllowed, signed_in
from dacu.services.risk_links import LinkDesk, LinkView

assert RISK_LINK_LABELS  # the screen's words, in the console's LABELS
router = APIRouter(prefix=f"{CONSOLE}/risk", include_in_schema=False)
READERS = frozenset({Role.RISK, Role.OPERATOR})  # as the API's
PAGE = 50
Field = Annotated[str, Query(max_length=64)]


@router.get("/links")
def links_page(request: Request, customer: Field = "", after: Field = "") -> HTMLResponse:
    who = signed_in(request)
    if who.role not in READERS:
        raise NotAllowed("risk_links_roles")
    view: LinkView | None = None
    missing = False
    customer = customer.strip()
    if customer:
        platform = backend(request)
        try:
            view = LinkDesk(platform.risk_links, platform.clock).view(customer, after, PAGE)
        except DomainError:
            missing = True
    context = {"customer": customer, "view": view, "missing": missing}
    return page(request, "risk_links.html", context, who=who)
