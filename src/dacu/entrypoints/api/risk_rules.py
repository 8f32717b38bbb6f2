"""Risk rules routes (the risk role): the rules file applied as a new version (PUT,
checked: a bad field is a 422 naming it), the active version and the history (GET),
and the blacklist kept (POST adds or replaces an entry, DELETE removes it; both safe to
retry). Every process uses a new version or list entry within about a second."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from dacu.domain.access import Role
from dacu.domain.risk_rules import ListKind
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.risk_api import ListIn, ListOut, ListValue, RulesOut, Unlisted, VersionOut

router = APIRouter(prefix="/v1/risk", tags=["risk"])
READERS = (Role.RISK, Role.OPERATOR, Role.SERVICE)


@router.get("/rules", response_model=RulesOut)
def get_rules(
    backend: PlatformDep,
    who: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> RulesOut:
    """The active rules (version 0: the packaged defaults) and the versions applied, the
    newest first."""
    who.require(*READERS)
    admin = backend.risk_rules
    history = [VersionOut.of(v) for v in admin.history(limit)]
    return RulesOut(active=VersionOut.of(admin.active(), document=True), history=history)


@router.put("/rules", response_model=VersionOut)
def put_rules(
    document: Annotated[dict[str, Any], Body(description="a rules file (risk.yaml) as JSON")],
    backend: PlatformDep,
    who: PrincipalDep,
) -> VersionOut:
    """Apply the rules file as the next version (the same file as the active one: that
    version, unchanged)."""
    who.require(Role.RISK)
    return VersionOut.of(backend.risk_rules.apply(document, who.subject), document=True)


@router.get("/blacklist", response_model=list[ListOut])
def get_blacklist(
    backend: PlatformDep,
    who: PrincipalDep,
    kind: Annotated[ListKind | None, Query()] = None,
    expired: Annotated[bool, Query(description="the expired entries too")] = False,
) -> list[ListOut]:
    who.require(*READERS)
    return [ListOut.of(e) for e in backend.risk_rules.listed(kind, live_only=not expired)]


@router.post("/blacklist", response_model=ListOut, status_code=201)
def post_blacklist(body: ListIn, backend: PlatformDep, who: PrincipalDep) -> ListOut:
    """List a value (again: its reason and expiry replaced)."""
    who.require(Role.RISK)
    entry = backend.risk_rules.blacklist(
        body.kind, body.value, body.reason, who.subject, body.expires_at
    )
    return ListOut.of(entry)


@router.delete("/blacklist", response_model=Unlisted)
def delete_blacklist(
    backend: PlatformDep,
    who: PrincipalDep,
    kind: Annotated[ListKind, Query()],
    value: Annotated[ListValue, Query()],
) -> Unlisted:
    who.require(Role.RISK)
    removed = backend.risk_rules.unlist(kind, value, who.subject)
    return Unlisted(kind=kind, value=value, removed=removed)
