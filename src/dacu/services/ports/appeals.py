"""What appeals (申诉中心) need of storage (`adapters/appeal_store.py`)."""

from collections.abc import Collection
from typing import Protocol

from dacu.domain.appeals import Appeal, AppealStatus
from dacu.domain.ledger import Entry


class AppealStore(Protocol):
    def file(self, appeal: Appeal) -> Appeal:
        """Keep the appeal, or return the one its shop filed with the same key already;
        AppealStateError when another appeal stands open for the line."""
        ...

    def appeal(self, appeal_id: str) -> Appeal | None: ...

    def appeals(
        self, shops: Collection[str] | None = None, status: AppealStatus | None = None
    ) -> list[Appeal]:
        """The appeals (of `shops`, in `status`), newest first."""
        ...

    def decide(self, appeal: Appeal, entry: Entry | None) -> bool:
        """In one transaction: save the decided appeal if it is still open, post its
        entry, audit the decision. False when it was decided already."""
        ...
