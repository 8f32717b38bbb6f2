"""What the double-entry ledger needs of storage (`adapters/ledger_store.py`).

`LedgerBook` works inside a caller's transaction (the unit of work that pays an
order posts its entry in the same commit); `Ledger` is the ledger on its own
(each `post` its own transaction) with the reads."""

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Protocol

from dacu.domain.ledger import Entry, EntryKind, Line
from dacu.domain.types import Fen


class LedgerBook(Protocol):
    def post(self, entry: Entry) -> bool:
        """Post the entry unless its key is posted already; True when posted now."""
        ...


class Ledger(LedgerBook, Protocol):
    def trial_balance(self) -> Fen:
        """The sum of every posting ever made: zero, always."""
        ...

    def balances(
        self,
        prefix: str = "",
        campaign_id: str | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, Fen]:
        """Each account starting with `prefix`: the sum of its postings (of one campaign,
        posted before `until`)."""
        ...

    def lines(
        self,
        prefix: str,
        campaign_id: str | None = None,
        kinds: Collection[EntryKind] | None = None,
        limit: int = 100_000,
    ) -> list[Line]:
        """The postings on accounts starting with `prefix`, oldest first."""
        ...

    def entry(self, key: str) -> list[Line] | None:
        """Every posting of the entry with this key; None when none was posted."""
        ...
