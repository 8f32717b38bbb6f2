"""Alerts for operators: raised once per standing condition, cleared when it ends."""

from datetime import datetime
from typing import Protocol

from dacu.domain.alerts import Alert


class Alerts(Protocol):
    def raise_alert(self, subject: str, kind: str, level: str, message: str, now: datetime) -> bool:
        """Raise the alert unless it stands already; True if this call raised it."""
        ...

    def clear_alert(self, subject: str, kind: str, now: datetime) -> bool:
        """Clear the standing alert; True if one stood."""
        ...

    def alerts(self, subject: str | None = None, standing: bool = False) -> list[Alert]:
        """Newest first; only `subject`'s, only those not cleared yet, when asked."""
        ...
