"""风控规则: the active rules version with its rules, the history (who, when), and for the
risk role a form to apply a rules file (YAML) — checked as the API checks it, a bad
field named. Every figure is `RiskRulesAdmin`'s, the same the API serves."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse

from dacu.domain.access import Principal, Role
from dacu.domain.errors import DomainError
from dacu.entrypoints.web.context import backend
from dacu.entrypoints.web.i18n_risk_rules import RISK_RULE_LABELS
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, ConsolePost, NotAllowed, signed_in
from dacu.schemas.yamlfile import load_yaml

assert RISK_RULE_LABELS  # the screen's words, in the console's LABELS
router = APIRouter(prefix=f"{CONSOLE}/risk-rules", include_in_schema=False)
READERS = frozenset({Role.RISK, Role.OPERATOR, Role.SERVICE})


def _who(
    request: Request, roles: frozenset[Role] = READERS, refusal: str = "rr_roles"
) -> Principal:
    found = signed_in(request)
    if found.role not in roles:
        raise NotAllowed(refusal)
    return found


@router.get("")
def rules_page(request: Request) -> HTMLResponse:
    who = _who(request)
    return page(request, "risk_rules.html", _context(request, who, None, ""), who=who)


@router.post("", dependencies=[ConsolePost])
def apply_rules(
    request: Request, document: Annotated[str, Form(max_length=200_000)]
) -> HTMLResponse:
    who = _who(request, frozenset({Role.RISK}), "rr_risk_only")
    try:
        applied = backend(request).risk_rules.apply(load_yaml(document), who.subject)
        notice = ("rr_applied", str(applied.version))
    except DomainError as refused:
        notice = ("rr_refused", f"{refused.field or ''}: {refused.message}")
    return page(request, "_risk_rules.html", _context(request, who, notice, document), who=who)


def _context(request: Request, who: Principal, notice: Any, typed: str) -> dict[str, Any]:
    admin = backend(request).risk_rules
    active = admin.active()
    rules = active.document.get("rules", []) if isinstance(active.document, dict) else []
    return {
        "active": active,
        "rules": rules,
        "history": admin.history(),
        "may_apply": who.role is Role.RISK,
        "notice": notice,
        "typed": typed,
    }
