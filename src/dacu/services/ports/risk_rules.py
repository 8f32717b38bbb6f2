"""What the rules engine needs of storage beyond `risk_links.py`: the versions of the
rules file and the blacklist (`domain/risk_rules.py`)."""

from datetime import datetime
from typing import Any, Protocol

from dacu.domain.risk_lists import ListEntry, RuleVersion
from dacu.domain.risk_rules import ListKind


class RuleVersions(Protocol):
    def active_version(self) -> int:
        """The active version's number; 0 when none was applied (cheap: one small read)."""
        ...

    def active(self) -> RuleVersion | None: ...

    def apply(self, document: Any, by: str, at: datetime) -> RuleVersion:
        """Store the document as the next version and make it active (audited)."""
        ...

    def history(self, limit: int = 50) -> list[RuleVersion]:
        """The versions, newest first."""
        ...


class Blacklist(Protocol):
    def add(self, entry: ListEntry) -> ListEntry:
        """List the value (again: the reason, expiry and who are replaced; audited)."""
        ...

    def remove(self, kind: ListKind, value: str, by: str, at: datetime) -> bool:
        """Unlist it; False when it was not listed (audited when it was)."""
        ...

    def entries(self, kind: ListKind | None = None, limit: int = 500) -> list[ListEntry]: ...

    def version(self) -> int:
        """A number that changes with every add and remove (cheap: one small read)."""
        ...
