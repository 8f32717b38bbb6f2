"""The campaign file's `growth.redemption`: the coin redemption catalog (赚币换购)."""

from typing import Literal

from pydantic import Field

from dacu.domain.errors import InvalidRule
from dacu.domain.redemption import Redemption, RedemptionItem
from dacu.domain.rewards import Reward, RewardKind
from dacu.schemas.bounds import Count, Fen, Id, Name
from dacu.schemas.promotions import In

MAX_ITEMS = 100


class RewardIn(In):
    kind: Literal["coupon", "coins", "top_up", "physical"]
    name: Name = ""
    value: Fen = 0  # what it costs the budget line, fen
    coupon: Id | None = None
    coins: Count = 0

    def to_domain(self) -> Reward:
        return Reward(RewardKind(self.kind), self.name, self.value, self.coupon, self.coins)


class ItemIn(In):
    id: Id
    name: Name
    coins: int = Field(ge=1, le=10_000_000)
    reward: RewardIn
    stock: Count
    per_customer: int | None = Field(None, ge=1, le=10_000)

    def to_domain(self) -> RedemptionItem:
        try:
            reward = self.reward.to_domain()
        except InvalidRule as error:
            raise error.within("reward") from None
        return RedemptionItem(self.id, self.name, self.coins, reward, self.stock, self.per_customer)


class RedemptionIn(In):
    items: list[ItemIn] = Field(default_factory=list, max_length=MAX_ITEMS)
    budget: Fen = 0

    def to_domain(self) -> Redemption:
        items = []
        for index, item in enumerate(self.items):
            try:
                items.append(item.to_domain())
            except InvalidRule as error:
                raise error.within(f"items[{index}]") from None
        return Redemption(tuple(items), self.budget)
