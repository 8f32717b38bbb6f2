"""What a settlement run needs of storage beyond reading statements
(`adapters/statement_store.py`): one transaction per shop's statement, the run keys,
and the campaign's unsettled due postings."""

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from dacu.domain.ledger import Entry
from dacu.domain.settlement import Statement, StatementLine
from dacu.domain.settlement_run import Due
from dacu.services.ports.settlement import Statements


class StatementBook(Protocol):
    """One transaction: every call commits or rolls back together."""

    def lock(self, campaign_id: str, shop: str) -> None:
        """Queue behind any other run of the shop (where the database can)."""
        ...

    def unsettled(self, campaign_id: str, shop: str) -> list[Due]: ...

    def last_seq(self, campaign_id: str, shop: str) -> int:
        """The shop's last statement number of the campaign; 0 before its first."""
        ...

    def add(self, statement: Statement, dues: list[Due], run_key: str) -> None:
        """Keep the statement and its lines, each holding its posting (once, ever)."""
        ...

    def post(self, entry: Entry) -> bool:
        """Post the ledger entry in this transaction."""
        ...


class StatementStore(Statements, Protocol):
    def book(self) -> AbstractContextManager[StatementBook]:
        """A transaction; a race lost to another run is ConcurrentChange, nothing written."""
        ...

    def claim_run(
        self, key: str, campaign_id: str, shop: str, by: str, at: datetime
    ) -> tuple[str, str, bool]:
        """Claim the run key: the (campaign, shop) it is for, and whether claimed now."""
        ...

    def of_run(self, key: str) -> list[Statement]:
        """The statements the run issued."""
        ...

    def due_shops(self, campaign_id: str) -> list[str]:
        """The shops with due postings of the campaign on no statement yet."""
        ...

    def unsettled(self, campaign_id: str, shop: str) -> list[Due]: ...

    def header(self, statement_id: str) -> Statement | None:
        """The statement without its lines."""
        ...

    def lines(self, statement_id: str, offset: int, limit: int) -> list[StatementLine]: ...

    def line_count(self, statement_id: str) -> int: ...
