"""What reading settlement statements needs of storage; the settlement run's writes are
its store's own (`adapters/statement_store.py`)."""

from typing import Protocol

from dacu.domain.settlement import Statement


class Statements(Protocol):
    def statement(self, statement_id: str) -> Statement | None:
        """The statement with its lines; None when there is none."""
        ...

    def statements(self, campaign_id: str, shop: str | None = None) -> list[Statement]:
        """The campaign's statements (of one shop), without their lines, newest first."""
        ...
