"""Coins (智慧币, plan 000 §4): a ledger per customer that never goes below zero.

Every entry has its reason; coins are not transferable. What a refund takes
back beyond the balance is not taken: it is recorded as debt and paid off
first from what the customer earns next.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode


class CoinReason(StrEnum):
    SIGN_IN = "sign_in"  # 1 per daily sign-in
    TASK = "task"  # 1 per daily task done
    FULL_MONTH = "full_month"  # 5 for a full calendar month of daily tasks
    PAID = "paid"  # 1 per whole yuan paid
    REFUND = "refund"  # the coins of refunded yuan, taken back
    INVITE = "invite"  # 2 per invited member
    LOTTERY = "lottery"  # a lottery prize
    REDEMPTION = "redemption"  # spent on the redemption catalog
    DEBT = "debt"  # earned coins that paid off a debt


@dataclass(frozen=True, slots=True)
class CoinEntry:
    customer_id: str
    coins: int  # positive earned, negative spent or taken back
    reason: str
    key: str
    at: datetime
    campaign_id: str | None = None


@dataclass(frozen=True, slots=True)
class CoinBalance:
    customer_id: str
    balance: int = 0  # never negative
    debt: int = 0  # what refunds could not take back

    def __post_init__(self) -> None:
        if self.balance < 0 or self.debt < 0:
            raise ValueError("a coin balance and its debt are never negative")


class NotEnoughCoins(DomainError):
    """The balance does not hold the coins a redemption asks for; nothing was taken."""

    code: ClassVar[ErrorCode] = ErrorCode.NOT_ENOUGH_COINS

    def __init__(self, message: str) -> None:
        super().__init__(message, "coins")
