"""Coins (智慧币): a member's balance and entries, and a campaign's coins for finance —
outstanding, their liability in fen, what they drew from the coins line, by reason and
by day."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.domain.coins_rules import CoinFigures
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import Id

router = APIRouter(tags=["coins"])
FINANCE_READERS = (Role.FINANCE, Role.OPERATOR)


class EntryOut(BaseModel):
    coins: int = Field(description="+ earned, − spent or taken back")
    reason: str = Field(description="sign_in, task, full_month, paid, refund, invite …")
    at: datetime
    campaign_id: str | None


class MyCoinsOut(BaseModel):
    balance: int
    debt: int = Field(description="coins refunds could not take back, paid off first")
    entries: list[EntryOut] = Field(description="newest first, the last 100")


class CountOut(BaseModel):
    key: str
    count: int


class TaskCountOut(BaseModel):
    day: str
    task_id: str
    count: int


class CampaignCoinsOut(BaseModel):
    campaign_id: str
    outstanding: int = Field(description="coins held of this campaign's earning")
    liability: int = Field(description="fen: outstanding coins at their cash value")
    given: int = Field(description="net coins given, what the coins line was drawn for")
    drawn: int = Field(description="fen drawn from the coins line")
    budget: int = Field(description="fen of the coins line")
    earned_today: int
    by_reason: list[CountOut]
    by_status: list[CountOut]
    sign_ins: list[CountOut] = Field(description="members signed in, per day")
    tasks: list[TaskCountOut] = Field(description="members who did each task, per day")
    all_done: list[CountOut] = Field(description="members who did every task, per day")


@router.get("/v1/customers/me/coins", response_model=MyCoinsOut)
def my_coins(backend: PlatformDep, who: PrincipalDep) -> MyCoinsOut:
    """My coins: the balance, any debt, and every entry with its reason."""
    who.require(Role.CONSUMER)
    held = backend.coins.balance(who.subject)
    entries = backend.coins.entries(who.subject)
    return MyCoinsOut(
        balance=held.balance,
        debt=held.debt,
        entries=[
            EntryOut(coins=e.coins, reason=e.reason, at=e.at, campaign_id=e.campaign_id)
            for e in entries
        ],
    )


@router.get("/v1/campaigns/{campaign_id}/coins", response_model=CampaignCoinsOut)
def campaign_coins(campaign_id: Id, backend: PlatformDep, who: PrincipalDep) -> CampaignCoinsOut:
    """The campaign's coin liability (finance and operators)."""
    who.require(*FINANCE_READERS)
    return figures_out(backend.coin_rewards.figures(campaign_id))


def figures_out(found: CoinFigures) -> CampaignCoinsOut:
    def counts(pairs: tuple[tuple[str, int], ...]) -> list[CountOut]:
        return [CountOut(key=key, count=n) for key, n in pairs]

    return CampaignCoinsOut(
        campaign_id=found.campaign_id,
        outstanding=found.outstanding,
        liability=found.liability,
        given=found.given,
        drawn=found.drawn,
        budget=found.budget,
        earned_today=found.earned_today,
        by_reason=counts(found.by_reason),
        by_status=counts(found.by_status),
        sign_ins=counts(found.sign_ins),
        tasks=[TaskCountOut(day=d, task_id=t, count=n) for d, t, n in found.tasks],
        all_done=counts(found.all_done),
    )
