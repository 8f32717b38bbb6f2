"""The coin ledger (智慧币): entries with reasons, a balance never below zero.

Each entry is kept once per `key` (a retried or raced deed earns once). Coins
cannot be moved between customers: there is no transfer, only earning (a
reason and a key), spending (a redemption) and taking back (a refund; what
cannot be taken back is recorded as the customer's debt, paid off first by
what they earn next).
"""

from datetime import datetime
from typing import Protocol

from dacu.domain.coins import CoinBalance, CoinEntry


class CoinLedger(Protocol):
    def earn(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> bool:
        """Add `coins` for `reason`, once per `key`; False when the key was kept before."""
        ...

    def spend(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> bool:
        """Take `coins` if the balance holds them, once per `key`: True when taken now or by
        the key before, False when the balance is short (nothing taken)."""
        ...

    def take_back(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> int:
        """Take back up to `coins` (floor at zero; the rest becomes debt), once per `key`;
        returns the coins taken now."""
        ...

    def balance(self, customer_id: str) -> CoinBalance: ...

    def entries(self, customer_id: str, limit: int = 100) -> list[CoinEntry]:
        """Newest first."""
        ...
