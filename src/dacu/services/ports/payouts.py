"""Payouts: their record with the ledger posting (`adapters/payout_store.py`), and the
channel that pays the bank (`adapters/bank_file.py` exports a bank file by default)."""

from collections.abc import Collection
from typing import Protocol

from dacu.domain.ledger import Entry
from dacu.domain.payouts import Payout


class PayoutStore(Protocol):
    def pay(self, payout: Payout, entry: Entry) -> Payout:
        """In one transaction: keep the payout and post its entry; the payout already
        kept under its key when there is one (then nothing is posted)."""
        ...

    def payout(self, key: str) -> Payout | None: ...

    def payouts(
        self, statement_id: str | None = None, shops: Collection[str] | None = None
    ) -> list[Payout]:
        """Newest first."""
        ...

    def mark_paid(self, statement_id: str) -> bool:
        """Set the statement's status to paid; True when it changed now."""
        ...


class PayoutChannel(Protocol):
    def send(self, payout: Payout) -> str:
        """Hand the payout to the bank (the same payout twice: the same result); the name
        of what was sent (the bank file's)."""
        ...

    def read(self, name: str) -> bytes | None:
        """What was sent under `name`; None when nothing was."""
        ...
