"""The blacklist's entries and the applied versions of the rules file."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dacu.domain.risk_rules import ListKind


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """One applied rules file: its number, the document, who applied it and when."""

    version: int  # 0: the packaged defaults, never applied
    document: Any  # the rules file as JSON data
    by: str
    at: datetime
    active: bool = False


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A value refused (or held) under its kind, for a reason, by someone, maybe until
    a time."""

    kind: ListKind
    value: str
    reason: str
    by: str
    at: datetime
    expires_at: datetime | None = None  # None: until removed

    def live(self, at: datetime) -> bool:
        return self.expires_at is None or at < self.expires_at
