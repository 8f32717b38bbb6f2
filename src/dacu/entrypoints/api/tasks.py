"""Daily sign-ins and daily tasks (每日签到, 每日任务) for a signed-in member.

The server decides: a sign-in is one per Asia/Shanghai day (a retry that day
answers the same sign-in), a venue visit is recorded with the server's own
clock, an order task is done by a paid order, and the coins each earns are
the campaign's to say. The client names the campaign, the task and, for a
share, the SKU — never a time, a state or an amount of coins.
"""

from datetime import date, datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.domain.tasks import SignIn
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import Id
from dacu.schemas.carts import Strict
from dacu.services.tasks import TaskDay

router = APIRouter(prefix="/v1/campaigns", tags=["tasks"])


class SignInOut(BaseModel):
    day: date = Field(description="the Asia/Shanghai calendar day")
    streak: int = Field(description="consecutive days signed in, this one included")
    coins: int = Field(description="coins this sign-in gave")
    status: str = Field(description="given, held (under review), budget_spent …")
    at: datetime
    new: bool = Field(False, description="false: today's sign-in was made before")


class CalendarOut(BaseModel):
    day: date
    signed_today: bool
    streak: int = Field(description="consecutive days up to today (or yesterday)")
    days: list[SignInOut] = Field(description="this calendar month's sign-ins")


class TaskOut(BaseModel):
    id: str
    name: str
    kind: str
    venue: str | None
    done: bool
    at: datetime | None
    coins: int
    status: str | None


class TaskDayOut(BaseModel):
    day: date
    all_done: bool
    month_days_done: int = Field(description="days this month with every task done")
    month_days: int = Field(description="days of this month within the campaign")
    tasks: list[TaskOut]


class ShareIn(Strict):
    sku: Id


def _sign_in(found: SignIn, new: bool = False) -> SignInOut:
    return SignInOut(
        day=found.day,
        streak=found.streak,
        coins=found.coins,
        status=found.status,
        at=found.at,
        new=new,
    )


def _day(found: TaskDay) -> TaskDayOut:
    return TaskDayOut(
        day=found.day,
        all_done=found.all_done,
        month_days_done=found.month_days_done,
        month_days=found.month_days,
        tasks=[
            TaskOut(
                id=task.id,
                name=task.name,
                kind=task.kind.value,
                venue=task.venue or None,
                done=done is not None,
                at=done.at if done else None,
                coins=done.coins if done else 0,
                status=done.status if done else None,
            )
            for task, done in found.tasks
        ],
    )


@router.post(
    "/{campaign_id}/sign-ins",
    response_model=SignInOut,
    status_code=201,
    responses={200: {"description": "today's sign-in, made before"}},
)
def sign_in(
    campaign_id: Id, response: Response, backend: PlatformDep, who: PrincipalDep
) -> SignInOut:
    """Sign in today (每日签到): one a day, with its streak and coin."""
    who.require(Role.CONSUMER)
    found, new = backend.tasks.sign_in(campaign_id, who.subject)
    if not new:
        response.status_code = 200
    return _sign_in(found, new)


@router.get("/{campaign_id}/sign-ins", response_model=CalendarOut)
def calendar(campaign_id: Id, backend: PlatformDep, who: PrincipalDep) -> CalendarOut:
    """My sign-ins this calendar month and my streak."""
    who.require(Role.CONSUMER)
    found = backend.tasks.calendar(campaign_id, who.subject)
    return CalendarOut(
        day=found.day,
        signed_today=found.signed_today,
        streak=found.streak,
        days=[_sign_in(s) for s in found.days],
    )


@router.get("/{campaign_id}/tasks", response_model=TaskDayOut)
def tasks_today(campaign_id: Id, backend: PlatformDep, who: PrincipalDep) -> TaskDayOut:
    """My daily tasks today and whether each is done."""
    who.require(Role.CONSUMER)
    return _day(backend.tasks.today(campaign_id, who.subject))


@router.post("/{campaign_id}/tasks/{task_id}/visits", response_model=TaskDayOut)
def visit(campaign_id: Id, task_id: Id, backend: PlatformDep, who: PrincipalDep) -> TaskDayOut:
    """I am at the task's venue: the server records the visit now (one a day counts)."""
    who.require(Role.CONSUMER)
    return _day(backend.tasks.visit(campaign_id, who.subject, task_id))


@router.post("/{campaign_id}/tasks/{task_id}/shares", response_model=TaskDayOut)
def share(
    campaign_id: Id, task_id: Id, body: ShareIn, backend: PlatformDep, who: PrincipalDep
) -> TaskDayOut:
    """I shared this SKU (one share a day counts for the task)."""
    who.require(Role.CONSUMER)
    return _day(backend.tasks.share(campaign_id, who.subject, task_id, body.sku))
