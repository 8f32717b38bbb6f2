"""申诉中心 routes: a merchant files an appeal against a line of its own statement
(once per Idempotency-Key) and follows it; finance or an operator reads them all (the
overdue first) and decides. A merchant sees only its own shops' appeals: another's is
the same 404 as none."""

from collections.abc import Collection
from typing import Annotated

from fastapi import APIRouter, Header, Query

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.appeals import AppealStatus, Claim
from dacu.domain.errors import InvalidRule
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.appeals import AppealIn, AppealOut, DecisionIn
from dacu.schemas.bounds import PRINTABLE

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])
READERS = (Role.MERCHANT, Role.FINANCE, Role.OPERATOR)
DECIDERS = (Role.FINANCE, Role.OPERATOR)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=PRINTABLE,
        description="the same key (per shop) returns the same appeal",
    ),
]


def own_shops(backend: Platform, who: Principal) -> Collection[str] | None:
    """A merchant's shops; None (every shop) for the platform's staff."""
    if who.role is not Role.MERCHANT:
        return None
    return frozenset(shop.id for shop in backend.goods.shops(who.subject))


@router.post("", response_model=AppealOut, status_code=201)
def file_appeal(
    body: AppealIn, key: IdempotencyKey, backend: PlatformDep, who: PrincipalDep
) -> AppealOut:
    """Dispute one line of your statement: why, the evidence (text or links), the fen
    you claim. One open appeal per line; answered within 3 working days."""
    who.require(Role.MERCHANT)
    claim = Claim(body.statement_id, body.line_no, body.reason, tuple(body.evidence), body.claimed)
    appeal = backend.appeals.file(who.subject, own_shops(backend, who), key, claim)
    return AppealOut.of(appeal, backend.clock())


@router.get("", response_model=list[AppealOut])
def list_appeals(
    backend: PlatformDep,
    who: PrincipalDep,
    status: Annotated[AppealStatus | None, Query()] = None,
) -> list[AppealOut]:
    """The appeals, the overdue open ones first; a merchant's own shops' only. Reading
    raises the alert of each overdue one."""
    who.require(*READERS)
    now = backend.clock()
    found = backend.appeals.appeals(own_shops(backend, who), status)
    return [AppealOut.of(appeal, now) for appeal in found]


@router.get("/{appeal_id}", response_model=AppealOut)
def get_appeal(appeal_id: str, backend: PlatformDep, who: PrincipalDep) -> AppealOut:
    who.require(*READERS)
    appeal = backend.appeals.appeal(appeal_id, own_shops(backend, who))
    return AppealOut.of(appeal, backend.clock())


@router.post("/{appeal_id}/decision", response_model=AppealOut)
def decide_appeal(
    appeal_id: str, body: DecisionIn, backend: PlatformDep, who: PrincipalDep
) -> AppealOut:
    """Accept with an adjustment of `amount` fen (posted now, paid by the next
    statement) or reject with the review report. Audited; a decision is final."""
    who.require(*DECIDERS)
    if body.decision == "accept":
        if body.amount is None:
            raise InvalidRule("amount", "say the fen of the adjustment")
        appeal = backend.appeals.accept(appeal_id, who.subject, body.amount, body.report)
    else:
        appeal = backend.appeals.reject(appeal_id, who.subject, body.report)
    return AppealOut.of(appeal, backend.clock())
