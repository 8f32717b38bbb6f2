"""Budget routes: a campaign's budget as it stands, by level, with every release of its
reserve (应急预算; opened only by an approved request, `api/budget_depth.py`)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.domain.budgets import BudgetFigures
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import PRINTABLE
from dacu.services.budget_burn import LevelFigures

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


class LevelOut(BaseModel):
    kind: str = Field(description="department or promotion")
    name: str
    department: str | None = None
    cap: int | None = Field(description="fen; null: no cap of its own")
    drawn: int = Field(description="fen drawn by orders taken in, net (capped lines)")
    left: int | None = Field(description="fen")
    drawn_bp: int | None = Field(description="drawn as basis points of the cap")
    paid: int = Field(description="fen of platform shares on paid orders, net of clawbacks")


def level_out(level: LevelFigures) -> LevelOut:
    return LevelOut(
        kind=level.kind,
        name=level.name,
        department=level.department,
        cap=level.cap,
        drawn=level.drawn,
        left=level.left,
        drawn_bp=level.drawn_bp,
        paid=level.paid,
    )


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
    drawn_bp: int = Field(description="drawn as basis points of the total")
    departments: list[LevelOut] = Field(description="分部门限额: each department's line")
    promotions: list[LevelOut] = Field(
        description="each platform-funded promotion or coupon template: its own cap, if any"
    )
    ledger: dict[str, int] = Field(
        description="the double-entry ledger's platform accounts for the campaign (fen)"
    )


class LineOut(BaseModel):
    name: str
    budget: int = Field(description="fen")
    drawn: int = Field(description="fen drawn by the mechanic's rewards")
    left: int = Field(description="fen")


@router.get("/{campaign_id}/budget", response_model=BudgetOut)
def get_budget(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> BudgetOut:
    """The cap, what is drawn and left, the burn on paid orders and every release."""
    who.require(*READERS)
    return _out(backend, backend.budgets.figures(campaign_id))


def _out(backend: PlatformDep, figures: BudgetFigures) -> BudgetOut:
    releases = backend.budgets.releases(figures.campaign_id)
    departments, promotions = backend.budget_burn.levels(figures.campaign_id)
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
        drawn_bp=figures.drawn_bp,
        departments=[level_out(level) for level in departments],
        promotions=[level_out(level) for level in promotions],
        ledger=dict(backend.budget_burn.accounts(figures.campaign_id)),
    )
