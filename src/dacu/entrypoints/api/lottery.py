"""Lottery routes (摇摇欲坠): my chances and the pool, a draw, my draws.

A consumer never says how many chances they have or what they won: the server
grants chances (the first visit, each day's first visit, the tasks) and draws.
"""

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from dacu.bootstrap import Platform
from dacu.domain.access import Role
from dacu.domain.lottery import Draw
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.entrypoints.api.coupons import IdempotencyKey
from dacu.entrypoints.api.identity import DeviceId, identity_of
from dacu.services.lottery import SHANGHAI, LotteryService

router = APIRouter(prefix="/v1/campaigns/{campaign_id}/lottery", tags=["lottery"])

RULE = (
    "A draw picks among the prizes in stock whose value fits in the budget left, each "
    "with probability weight / (sum of their weights): point = roll * total // 2^32 for a "
    "roll uniform in [0, 2^32) from the server's CSPRNG; the first prize, in this order, "
    "whose running sum of weights exceeds point."
)


class PrizeOut(BaseModel):
    id: str
    name: str
    kind: str
    in_stock: bool
    weight: int
    odds_bp: int  # the chance of this prize on a draw now, basis points


class LotteryOut(BaseModel):
    campaign_id: str
    open: bool
    verified: bool  # only phone-verified members get chances
    chances_left: int
    chances_granted: int
    prizes: list[PrizeOut]
    rule: str = RULE


class DrawOut(BaseModel):
    id: str
    prize_id: str
    prize_name: str
    kind: str
    status: str  # given, pending, awaiting_address, held, nothing
    at: datetime


def _service(backend: Platform) -> LotteryService:
    assert backend.lottery is not None, "the platform is wired without a lottery"
    return backend.lottery


@router.get("", response_model=LotteryOut)
def my_lottery(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> LotteryOut:
    """The lottery page: your chances and the prize pool. Your first visit grants the
    chances of a new member, each day's first visit the day's."""
    who.require(Role.CONSUMER)
    view = _service(backend).visit(campaign_id, who.subject)
    prizes = [
        PrizeOut(
            id=p.prize.id,
            name=p.prize.name,
            kind=p.prize.reward.kind.value,
            in_stock=p.in_stock,
            weight=p.prize.weight,
            odds_bp=p.odds_bp,
        )
        for p in view.prizes
    ]
    return LotteryOut(
        campaign_id=campaign_id,
        open=view.open,
        verified=view.verified,
        chances_left=view.left,
        chances_granted=view.granted,
        prizes=prizes,
    )


@router.post("/draws", response_model=DrawOut, status_code=201)
def draw(
    campaign_id: str,
    key: IdempotencyKey,
    backend: PlatformDep,
    who: PrincipalDep,
    request: Request,
    device: DeviceId = None,
) -> DrawOut:
    """Draw once (摇一摇): one chance for one prize. The same key returns the same draw."""
    who.require(Role.CONSUMER)
    service = _service(backend)
    identity = identity_of(request, who, backend)
    return _out(service, service.draw(campaign_id, who.subject, key, identity))


@router.get("/draws", response_model=list[DrawOut])
def my_draws(campaign_id: str, backend: PlatformDep, who: PrincipalDep) -> list[DrawOut]:
    """Your draws, newest first."""
    who.require(Role.CONSUMER)
    service = _service(backend)
    return [_out(service, d) for d in service.draws(campaign_id, who.subject)]


def _out(service: LotteryService, drawn: Draw) -> DrawOut:
    try:
        prize = service.lottery(drawn.campaign_id).prize(drawn.prize_id)
        name, kind = prize.name, prize.reward.kind.value
    except KeyError:  # a prize the campaign file no longer lists: the draw still stands
        name, kind = drawn.prize_id, ""
    return DrawOut(
        id=drawn.id,
        prize_id=drawn.prize_id,
        prize_name=name,
        kind=kind,
        status=drawn.status,
        at=drawn.at.astimezone(SHANGHAI),  # the same text however the draw was read
    )
