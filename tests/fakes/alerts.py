"""Fakes of the alerts and notifications ports."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from dacu.domain.alerts import Alert
from dacu.domain.flashsale import FlashSale

# --- alerts and notifications ---------------------------------------------------------


@dataclass
class FakeAlerts:
    """Alerts: one standing alert per (subject, kind), cleared ones kept."""

    raised: list[Alert] = field(default_factory=list)

    def raise_alert(self, subject: str, kind: str, level: str, message: str, now: datetime) -> bool:
        if any(a.cleared_at is None for a in self.alerts(subject) if a.kind == kind):
            return False
        self.raised.append(Alert(len(self.raised) + 1, subject, kind, level, message, now, None))
        return True

    def clear_alert(self, subject: str, kind: str, now: datetime) -> bool:
        for i, alert in enumerate(self.raised):
            if (alert.subject, alert.kind, alert.cleared_at) == (subject, kind, None):
                self.raised[i] = replace(alert, cleared_at=now)
                return True
        return False

    def alerts(self, subject: str | None = None, standing: bool = False) -> list[Alert]:
        found = [
            a
            for a in self.raised
            if (subject is None or a.subject == subject) and not (standing and a.cleared_at)
        ]
        return sorted(found, key=lambda a: (a.raised_at, a.id), reverse=True)


@dataclass
class FakeNotifications:
    """Notifications: a reminder per (sale, user), told once until asked again."""

    waiting: dict[tuple[str, str], datetime | None] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def subscribe(self, sale_id: str, user_id: str, now: datetime) -> None:
        self.waiting[(sale_id, user_id)] = None

    def remind(self, sale: FlashSale, message: str, now: datetime) -> int:
        told = [key for key, at in self.waiting.items() if key[0] == sale.id and at is None]
        for key in told:
            self.waiting[key] = now
            self.sent.append({"user_id": key[1], "subject": sale.id, "message": message})
        return len(told)

    def inbox(self, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return [n for n in reversed(self.sent) if n["user_id"] == user_id][:limit]


# --- end of alerts and notifications --------------------------------------------------
