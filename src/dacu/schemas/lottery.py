"""The campaign file's `growth.lottery`: the prize pool, the chances and the budget line."""

from typing import Annotated

from pydantic import Field

from dacu.domain.errors import InvalidRule
from dacu.domain.lottery import MAX_TOTAL_WEIGHT, Chances, Lottery, Prize
from dacu.domain.rewards import Reward, RewardKind
from dacu.schemas.bounds import Count, Fen, Id, Name
from dacu.schemas.promotions import In

MAX_PRIZES = 100
Weight = Annotated[int, Field(ge=1, le=MAX_TOTAL_WEIGHT)]


class RewardIn(In):
    kind: RewardKind = Field(strict=False)
    name: Name = ""
    value: Fen = 0  # what it costs the budget line when given
    coupon: Id | None = None  # the coupon template, for kind coupon
    coins: Count = 0  # for kind coins

    def to_domain(self) -> Reward:
        return Reward(self.kind, self.name, self.value, self.coupon, self.coins)


class PrizeIn(In):
    id: Id
    name: Name
    reward: RewardIn
    weight: Weight
    stock: Count | None = None  # none: never runs out (谢谢参与)

    def to_domain(self) -> Prize:
        try:
            reward = self.reward.to_domain()
        except InvalidRule as error:
            raise error.within("reward") from None
        return Prize(self.id, self.name, reward, self.weight, self.stock)


class ChancesIn(In):
    first_visit: Annotated[int, Field(ge=0, le=100)] = 3
    daily_login: Annotated[int, Field(ge=0, le=100)] = 1
    all_tasks: Annotated[int, Field(ge=0, le=100)] = 1

    def to_domain(self) -> Chances:
        return Chances(self.first_visit, self.daily_login, self.all_tasks)


class LotteryIn(In):
    prizes: list[PrizeIn] = Field(default_factory=list, max_length=MAX_PRIZES)
    chances: ChancesIn = ChancesIn()
    budget: Fen = 0

    def to_domain(self) -> Lottery:
        prizes = []
        for index, prize in enumerate(self.prizes):
            try:
                prizes.append(prize.to_domain())
            except InvalidRule as error:
                raise error.within(f"prizes[{index}]") from None
        return Lottery(tuple(prizes), self.chances.to_domain(), self.budget)
