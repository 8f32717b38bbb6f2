"""Messages to shoppers in the app: 缺货提醒 subscriptions, the reminders, the inbox."""

from datetime import datetime
from typing import Any, Protocol

from dacu.domain.flashsale import FlashSale


class Notifications(Protocol):
    def subscribe(self, sale_id: str, user_id: str, now: datetime) -> None:
        """Ask to be told when stock returns; asking again renews a used reminder."""
        ...

    def remind(self, sale: FlashSale, message: str, now: datetime) -> int:
        """Tell every waiting subscriber of `sale`, once each; returns how many were told."""
        ...

    def inbox(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The user's notifications, newest first."""
        ...
