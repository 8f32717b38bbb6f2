"""Budget routes: a campaign's budget as it stands, and releases of its reserve (应急预算)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from dacu.domain.access import Role
from dacu.domain.budgets import BudgetFigures
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import PRINTABLE, TEXT

router = APIRouter(prefix="/v1/campaigns", tags=["budgets"])
READERS = (Role.OPERATOR, Role.FINANCE, Role.RISK, Role.SERVICE)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=PRINTABLE,
        description="the same key releases once",
    ),
]


class ReleaseOut(BaseModel):
    amount: int
    actor: str
    reason: str
    at: datetime


class BudgetOut(BaseModel):
    campaign_id: str
    total: int = Field(description="fen")
    reserve: int = Field(description="fen of contingency held back (contingency_bp of total)")
    released: int = Field(description="fen of the reserve operators released")
    cap: int = Field(
        description="fen orders may draw: total − reserve − the growth lines + released"
    )
    drawn: int = Field(description="fen drawn by orders taken in, net of cancels and refunds")
    left: int = Field(description="fen that may still be drawn")
    burn: int = Field(description="fen of platform shares on paid orders, from the ledger")
    releases: list[ReleaseOut]
    lines: list["LineOut"] = Field(
        description="the growth mechanics' lines, carved out of the total and drawn apart"
    )


class LineOut(BaseModel):
    name: str
    budget: int = Field(description="fen")
    drawn: int = Field(description="fen drawn by the mechanic's rewards")
    left: int = Field(description="fen")


class ReleaseIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    amount: int = Field(gt=0, le=10**13, description="fen of the reserve to open")
    reason: str = Field(min_length=1, max_length=500, pattern=TEXT)


@router.get("/{campaign_id}/budget", response_model=BudgetOut)
def get_budget(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> BudgetOut:
    """The cap, what is drawn and left, the burn on paid orders and every release."""
    who.require(*READERS)
    return _out(backend, backend.budgets.figures(campaign_id))


@router.post("/{campaign_id}/budget/releases", response_model=BudgetOut, status_code=201)
def release(
    campaign_id: str, body: ReleaseIn, key: IdempotencyKey, backend: PlatformDep, who: PrincipalDep
) -> BudgetOut:
    """Open part of the contingency reserve, audited; the same key releases once."""
    who.require(Role.OPERATOR)
    figures = backend.budgets.release(campaign_id, body.amount, who.subject, body.reason, key)
    return _out(backend, figures)


def _out(backend: PlatformDep, figures: BudgetFigures) -> BudgetOut:
    releases = backend.budgets.releases(figures.campaign_id)
    return BudgetOut(
        campaign_id=figures.campaign_id,
        total=figures.total,
        reserve=figures.reserve,
        released=figures.released,
        cap=figures.cap,
        drawn=figures.drawn,
        left=figures.left,
        burn=figures.burn,
        releases=[ReleaseOut(amount=a, actor=w, reason=r, at=t) for a, w, r, t in releases],
        lines=[
            LineOut(name=line.name, budget=line.budget, drawn=line.drawn, left=line.left)
            for line in backend.budgets.lines(figures.campaign_id)
        ],
    )
