"""The lottery 摇摇欲坠 (plan 000 §3): a prize pool with weights, stock and a budget line.

Chances: 3 on a member's first visit to the lottery, 1 on the first visit of
each later Asia/Shanghai day, 1 for completing all daily tasks. A draw uses
one chance and gives one prize.

The odds (the exact rule, the same in SQL and in the Redis script):

1. The prizes *open* at the draw are those with stock left (a prize without
   `stock` never runs out) whose `value` still fits in what is left of the
   budget line, in the order the campaign file lists them.
2. The server draws `roll`, an integer uniform in [0, 2^32), from its CSPRNG.
3. With `total` the sum of the open prizes' weights (at most `MAX_TOTAL_WEIGHT`,
   so `roll * total` is exact in a double), `point = (roll * total) // 2^32`;
   the prize is the first open prize whose running sum of weights exceeds `point`.

So an open prize of weight `w` is drawn with probability `w / total`, off by
less than 2^-32. A pool must hold a prize that never runs out and costs
nothing (谢谢参与), so some prize is always open.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule
from dacu.domain.rewards import Reward, RewardKind
from dacu.domain.types import Fen

ROLL_BITS = 32
ROLL_SPAN = 1 << ROLL_BITS
MAX_TOTAL_WEIGHT = 1 << 20  # roll * total < 2^52: exact in Lua's doubles


class ChanceReason(StrEnum):
    FIRST_VISIT = "first_visit"  # 新用户注册登陆活动页面即可获得3次抽奖机会
    DAILY_LOGIN = "daily_login"  # 之后每天登陆即可获得1次抽奖机会
    ALL_TASKS = "all_tasks"  # 完成所有日常任务即可获得1次抽奖机会


@dataclass(frozen=True, slots=True)
class Prize:
    id: str
    name: str
    reward: Reward
    weight: int
    stock: int | None = None  # None: never runs out (谢谢参与)

    @property
    def value(self) -> Fen:
        return self.reward.value

    @property
    def limited(self) -> bool:
        return self.stock is not None


@dataclass(frozen=True, slots=True)
class Chances:
    first_visit: int = 3
    daily_login: int = 1
    all_tasks: int = 1

    def of(self, reason: ChanceReason) -> int:
        count: int = getattr(self, reason.value)
        return count


@dataclass(frozen=True, slots=True)
class Lottery:
    prizes: tuple[Prize, ...] = ()
    chances: Chances = Chances()
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen

    def __post_init__(self) -> None:
        _check_pool(self.prizes, self.budget)

    def prize(self, prize_id: str) -> Prize:
        for prize in self.prizes:
            if prize.id == prize_id:
                return prize
        raise KeyError(prize_id)

    def open_prizes(self, given: Mapping[str, int], budget_left: Fen) -> list[Prize]:
        """The prizes a draw may give now: stock left (`given` counts each prize's draws)
        and a value that fits in `budget_left`, in the file's order."""
        return [
            p
            for p in self.prizes
            if (p.stock is None or given.get(p.id, 0) < p.stock) and p.value <= budget_left
        ]


def pick(open_prizes: Sequence[Prize], roll: int) -> Prize:
    """The prize `roll` (uniform in [0, 2^32)) draws among `open_prizes` (module rule)."""
    if not 0 <= roll < ROLL_SPAN:
        raise ValueError("a roll is in [0, 2^32)")
    total = sum(p.weight for p in open_prizes)
    if total <= 0:
        raise ValueError("no prize is open")
    point = (roll * total) >> ROLL_BITS
    running = 0
    for prize in open_prizes:
        running += prize.weight
        if point < running:
            return prize
    raise AssertionError("unreachable: point < total")


DRAWN = "drawn"  # a draw's status until its prize is given (then a `GivenStatus`)


@dataclass(frozen=True, slots=True)
class DrawTicket:
    """What the server decided before a draw: who, under which key, with which roll."""

    campaign_id: str
    customer_id: str
    key: str  # the Idempotency-Key: one draw per key per customer
    draw_id: str
    roll: int  # uniform in [0, 2^32), from the server's CSPRNG
    at: datetime
    status: str = DRAWN  # `GivenStatus.HELD` when the risk check asked for a review


@dataclass(frozen=True, slots=True)
class Draw:
    id: str
    campaign_id: str
    customer_id: str
    key: str
    prize_id: str
    value: Fen  # drawn from the budget line
    roll: int
    status: str  # DRAWN, or the `GivenStatus` of its prize
    at: datetime
    reference: str = ""


def recorded_status(prize: Prize, status: str) -> str:
    """The status a draw is recorded with: "nothing" at once for 谢谢参与 (nothing to give)."""
    return "nothing" if status == DRAWN and prize.reward.kind is RewardKind.NOTHING else status


def chance_key(reason: ChanceReason, day: date | None = None) -> str:
    """The natural key a grant is given once under, per customer and campaign."""
    return reason.value if day is None else f"{reason.value}:{day.isoformat()}"


def _check_pool(prizes: tuple[Prize, ...], budget: Fen) -> None:
    if not prizes:
        return  # a lottery without prizes gives nothing and is never drawn
    seen: set[str] = set()
    for index, prize in enumerate(prizes):
        where = f"prizes[{index}]"
        if prize.id in seen:
            raise InvalidRule(f"{where}.id", f"prize {prize.id!r} is listed twice")
        seen.add(prize.id)
        if prize.weight <= 0:
            raise InvalidRule(f"{where}.weight", "a prize's weight is at least 1")
        if prize.stock is not None and prize.stock < 0:
            raise InvalidRule(f"{where}.stock", "a prize's stock is not negative")
        if prize.value > budget:
            raise InvalidRule(f"{where}.reward.value", "a prize's value fits in the budget")
    if sum(p.weight for p in prizes) > MAX_TOTAL_WEIGHT:
        raise InvalidRule("prizes", f"the weights add up to at most {MAX_TOTAL_WEIGHT}")
    if not any(p.stock is None and p.value == 0 for p in prizes):
        raise InvalidRule("prizes", "the pool holds a prize that never runs out and costs nothing")


class NoChance(DomainError):
    """The customer has no draw chance left in this lottery."""

    code = ErrorCode.NO_CHANCE

    def __init__(self) -> None:
        super().__init__("no draw chance left", None)


class LotteryClosed(DomainError):
    """The campaign runs no lottery, or is not open now."""

    code = ErrorCode.CAMPAIGN_STATE


class NotVerified(DomainError):
    """Only phone-verified members draw (有效客户)."""

    code = ErrorCode.FORBIDDEN

    def __init__(self) -> None:
        super().__init__("verify your phone number to take part", None)


def is_nothing(prize: Prize) -> bool:
    return prize.reward.kind is RewardKind.NOTHING


# Every dataclass and enum of these rules, for the compiled form of a campaign
# (`adapters/campaign_codec.py`): a class not listed here cannot be stored.
CLASSES: tuple[type, ...] = (Lottery, Prize, Chances, Reward)
ENUMS: tuple[type, ...] = (ChanceReason, RewardKind)
