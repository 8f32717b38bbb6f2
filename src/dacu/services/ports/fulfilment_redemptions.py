"""Coin redemptions (赚币换购): coins, stock, budget line and rewards in one transaction."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dacu.domain.fulfilment import RewardStatus
from dacu.domain.redemption import Redeemed, RedemptionItem
from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class RedemptionAsk:
    id: str
    key: str  # the customer's Idempotency-Key, scoped to them
    campaign_id: str
    customer_id: str
    item: RedemptionItem
    qty: int
    line: str  # the budget line's id
    line_budget: Fen
    status: RewardStatus  # NEW, or HELD when the risk check asked for a review
    reward_ids: tuple[str, ...]
    at: datetime


class RedemptionStore(Protocol):
    def redeem(self, ask: RedemptionAsk) -> tuple[Redeemed, bool]:
        """All or nothing: coins spent (never below zero, `NotEnoughCoins`), the
        customer's limit and the item's stock counted (`RedemptionLimitReached`,
        `ItemSoldOut`), the budget line drawn (`BudgetSpent`), the rewards recorded —
        once per key. Returns the redemption and whether this call made it; a key used
        for another item or quantity is an `IdempotencyConflict`."""
        ...

    def find(self, key: str) -> Redeemed | None:
        """The redemption made under `key`, if any."""
        ...

    def taken(self, campaign_id: str) -> dict[str, int]:
        """Units taken of each item."""
        ...

    def drawn(self, line: str) -> Fen:
        """What the budget line has drawn."""
        ...
