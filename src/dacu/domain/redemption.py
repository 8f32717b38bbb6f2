"""The coin redemption catalog (赚币换购, plan 000 §4): what coins buy.

Each item costs a number of coins and gives a `Reward` (a 话费 top-up, a fuel
card …) whose cash value is drawn from the campaign's `redemption` budget line
when it is redeemed. Stock is per item; a per-customer limit is optional.
"""

from dataclasses import dataclass
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule
from dacu.domain.rewards import Reward, RewardKind
from dacu.domain.types import Fen

MAX_QTY = 10  # items of one kind in one redemption
REDEEMABLE = (RewardKind.TOP_UP, RewardKind.PHYSICAL, RewardKind.COUPON, RewardKind.COINS)


@dataclass(frozen=True, slots=True)
class RedemptionItem:
    id: str
    name: str
    coins: int  # its price in coins
    reward: Reward
    stock: int
    per_customer: int | None = None  # how many one customer may redeem, if limited

    def __post_init__(self) -> None:
        if self.coins <= 0:
            raise InvalidRule("coins", "an item costs at least one coin")
        if self.stock < 0:
            raise InvalidRule("stock", "stock is not negative")
        if self.per_customer is not None and self.per_customer <= 0:
            raise InvalidRule("per_customer", "a limit is at least one")
        if self.reward.kind not in REDEEMABLE:
            raise InvalidRule("reward.kind", "an item gives something")
        if self.reward.kind is RewardKind.TOP_UP and self.reward.value <= 0:
            raise InvalidRule("reward.value", "a top-up has an amount")


@dataclass(frozen=True, slots=True)
class Redemption:
    """The campaign file's `growth.redemption`: the items and the budget line they draw."""

    items: tuple[RedemptionItem, ...] = ()
    budget: Fen = 0  # the budget line carved out of the campaign budget, fen

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.id in seen:
                raise InvalidRule(f"items[{index}].id", f"{item.id} is listed twice")
            seen.add(item.id)
        if self.budget < 0:
            raise InvalidRule("budget", "a budget is not negative")

    def item(self, item_id: str) -> RedemptionItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise InvalidRule("item", f"{item_id} is not in the catalog")


def check_qty(qty: int) -> int:
    if not 1 <= qty <= MAX_QTY:
        raise InvalidRule("qty", f"between 1 and {MAX_QTY}")
    return qty


class ItemSoldOut(DomainError):
    """No stock left of the item for this quantity; nothing was taken."""

    code: ClassVar[ErrorCode] = ErrorCode.OUT_OF_STOCK

    def __init__(self, item_id: str) -> None:
        super().__init__(f"{item_id} is out of stock", "item")


class RedemptionLimitReached(DomainError):
    """The customer has redeemed as many of the item as one may."""

    code: ClassVar[ErrorCode] = ErrorCode.PER_USER_LIMIT_REACHED

    def __init__(self, item_id: str) -> None:
        super().__init__(f"the limit of {item_id} per customer is reached", "qty")


class NotVerified(DomainError):
    """Rewards go to phone-verified members only."""

    code: ClassVar[ErrorCode] = ErrorCode.FORBIDDEN

    def __init__(self) -> None:
        super().__init__("verify your phone first", "phone")


@dataclass(frozen=True, slots=True)
class Redeemed:
    """One redemption: its id, what it took, and the rewards it recorded (ids)."""

    id: str
    campaign_id: str
    customer_id: str
    item_id: str
    qty: int
    coins: int
    value: Fen
    rewards: tuple[str, ...]
    held: bool = False


CLASSES: tuple[type, ...] = (Redemption, RedemptionItem, Reward)
ENUMS: tuple[type, ...] = (RewardKind,)
