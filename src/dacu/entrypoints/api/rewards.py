"""Reward routes: a consumer's own rewards and the address for a physical prize;
operators' fulfilment queue, shipping and retried top-ups."""

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dacu.domain.access import Role
from dacu.domain.fulfilment import RewardRecord, due_day
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import PRINTABLE
from dacu.schemas.carts import Strict

router = APIRouter(prefix="/v1", tags=["rewards"])
STAFF = (Role.OPERATOR, Role.SERVICE, Role.RISK, Role.FINANCE)


class RewardOut(BaseModel):
    id: str
    campaign_id: str
    source: str
    kind: str
    name: str
    value: int
    status: str
    reference: str
    due: date | None
    overdue: bool
    created_at: datetime
    carrier: str
    waybill: str
    address_given: bool


class AddressIn(Strict):
    name: str = Field(min_length=1, max_length=32, pattern=PRINTABLE)
    phone: str = Field(min_length=1, max_length=32, pattern=PRINTABLE)
    address: str = Field(min_length=1, max_length=120, pattern=PRINTABLE)


class ShipmentIn(Strict):
    carrier: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    waybill: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)


def reward_out(found: RewardRecord, now: datetime | None = None) -> RewardOut:
    return RewardOut(
        id=found.id,
        campaign_id=found.campaign_id,
        source=found.source,
        kind=found.reward.kind.value,
        name=found.reward.name,
        value=found.reward.value,
        status=found.status.value,
        reference=found.reference,
        due=None if found.due_at is None else due_day(found.due_at),
        overdue=found.overdue or (now is not None and found.late(now)),
        created_at=found.created_at,
        carrier=found.carrier,
        waybill=found.waybill,
        address_given=found.address is not None,
    )


@router.get("/rewards", response_model=list[RewardOut])
def my_rewards(backend: PlatformDep, who: PrincipalDep) -> list[RewardOut]:
    """The rewards you won or redeemed, newest first."""
    who.require(Role.CONSUMER)
    return [reward_out(r) for r in backend.rewards.mine(who.subject)]


@router.get("/rewards/{reward_id}", response_model=RewardOut)
def my_reward(reward_id: str, backend: PlatformDep, who: PrincipalDep) -> RewardOut:
    """One of your rewards (someone else's is a 404)."""
    if who.role is Role.CONSUMER:
        return reward_out(backend.rewards.one(reward_id, who.subject))
    who.require(*STAFF)
    return reward_out(backend.rewards.one(reward_id), backend.clock())


@router.put("/rewards/{reward_id}/address", response_model=RewardOut)
def give_address(
    reward_id: str, body: AddressIn, backend: PlatformDep, who: PrincipalDep
) -> RewardOut:
    """Name, phone and address for your physical prize; it ships within 3 working days."""
    who.require(Role.CONSUMER)
    found = backend.rewards.give_address(
        reward_id, who.subject, body.name, body.phone, body.address
    )
    return reward_out(found)


@router.get("/fulfilment", response_model=list[RewardOut])
def queue(backend: PlatformDep, who: PrincipalDep, campaign: str | None = None) -> list[RewardOut]:
    """The fulfilment queue: awaiting address, shipping, top-ups pending or failed."""
    who.require(*STAFF)
    now = backend.clock()
    return [reward_out(r, now) for r in backend.rewards.queue(campaign)]


@router.post("/rewards/{reward_id}/shipment", response_model=RewardOut)
def ship(reward_id: str, body: ShipmentIn, backend: PlatformDep, who: PrincipalDep) -> RewardOut:
    """Mark a prize shipped with its carrier and waybill (audited)."""
    who.require(Role.OPERATOR)
    return reward_out(backend.rewards.ship(reward_id, body.carrier, body.waybill, who.subject))


@router.post("/rewards/{reward_id}/retry", response_model=RewardOut)
def retry(reward_id: str, backend: PlatformDep, who: PrincipalDep) -> RewardOut:
    """Try a failed top-up again now."""
    who.require(Role.OPERATOR)
    return reward_out(backend.rewards.retry(reward_id))


@router.post("/rewards/{reward_id}/release", response_model=RewardOut)
def release(reward_id: str, backend: PlatformDep, who: PrincipalDep) -> RewardOut:
    """Give a reward the risk check held, once reviewed."""
    who.require(Role.RISK, Role.OPERATOR)
    return reward_out(backend.rewards.release(reward_id, who.subject))
