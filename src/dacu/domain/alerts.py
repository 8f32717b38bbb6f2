"""Alerts for operators: a standing condition, raised once and cleared when it ends."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    subject: str
    kind: str
    level: str
    message: str
    raised_at: datetime
    cleared_at: datetime | None
