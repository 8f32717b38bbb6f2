"""What coin earnings, sign-ins and daily tasks need stored, in one transaction per deed.

`TaskBooks.transaction()` opens a `TaskBook`: everything a deed writes — its
record (once per key), the campaign's net coins given and its budget line,
the coins themselves (`coins`, the ledger on the same connection), the
sign-in or task row — commits together or not at all. Each step that two
deeds may race on is one conditional statement or a row held to the commit,
so any number of processes earn each key once and never pass the line.
"""

from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Protocol

from dacu.domain.coins_rules import Award, CoinFigures, Earning
from dacu.domain.tasks import SignIn, TaskDone
from dacu.domain.types import Fen


class CoinBook(Protocol):
    """The coin ledger on the transaction's connection (`SqlCoinBook`)."""

    def earn(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> bool: ...

    def take_back(
        self,
        customer_id: str,
        coins: int,
        reason: str,
        key: str,
        at: datetime,
        campaign_id: str | None = None,
    ) -> int: ...


class TaskBook(Protocol):
    @property
    def coins(self) -> CoinBook:
        """The ledger on the transaction's connection."""
        ...

    def verified(self, customer_id: str) -> bool:
        """Whether the customer's phone is verified (an unknown customer's is not)."""
        ...

    def claim(
        self, key: str, campaign_id: str, customer_id: str, reason: str, coins: int, at: datetime
    ) -> Earning | None:
        """Record the earning under `key` if it is new (None), else what was recorded."""
        ...

    def settle(self, key: str, status: Award, coins: int, fen: Fen) -> None:
        """What became of the earning claimed under `key`."""
        ...

    def issue(self, campaign_id: str, coins: int) -> tuple[int, int]:
        """Add `coins` (negative: taken back) to the campaign's net coins given; returns
        (before, after), the campaign's row held to the commit."""
        ...

    def draw(self, line: str, fen: Fen, base: Fen) -> bool:
        """Draw the budget line unless that passes `base`; False if so."""
        ...

    def give_back(self, line: str, fen: Fen) -> None: ...

    def sign_in(self, campaign_id: str, customer_id: str, day: date, at: datetime) -> SignIn | None:
        """The day's sign-in, its streak from yesterday's; None when the day had one."""
        ...

    def signed_in(self, campaign_id: str, customer_id: str, day: date) -> SignIn | None: ...

    def set_sign_in(
        self, campaign_id: str, customer_id: str, day: date, coins: int, status: Award
    ) -> None: ...

    def mark_done(
        self,
        campaign_id: str,
        customer_id: str,
        day: date,
        task_id: str,
        source: str,
        at: datetime,
    ) -> bool:
        """The task done that day, once: True when this call did it."""
        ...

    def set_done(
        self,
        campaign_id: str,
        customer_id: str,
        day: date,
        task_id: str,
        coins: int,
        status: Award,
    ) -> None: ...

    def count_done(self, campaign_id: str, customer_id: str, day: date) -> int:
        """One more task done that day: the day's count after it, its row held."""
        ...

    def all_done(self, campaign_id: str, customer_id: str, day: date, at: datetime) -> bool:
        """Mark the day all done: True the first time."""
        ...

    def day_all_done(self, campaign_id: str, customer_id: str, day: date) -> bool: ...

    def month_day(self, campaign_id: str, customer_id: str, month: str) -> int:
        """One more all-done day in the month: the count after it."""
        ...

    def order_paid(self, order_id: str, customer_id: str, campaign_id: str, paid: Fen) -> Fen:
        """Note the order's paid amount; returns what refunds took from it so far."""
        ...

    def order_given(self, order_id: str) -> None:
        """The order's coins were given."""
        ...

    def order_refunded(
        self, order_id: str, customer_id: str, campaign_id: str, amount: Fen
    ) -> tuple[Fen | None, Fen, Fen, bool]:
        """Add a refund; (paid or None if not yet seen, refunded before, after, given)."""
        ...


class TaskBooks(Protocol):
    def transaction(self) -> AbstractContextManager[TaskBook]: ...

    def sign_ins(
        self, campaign_id: str, customer_id: str, first: date, last: date
    ) -> list[SignIn]: ...

    def done(self, campaign_id: str, customer_id: str, day: date) -> list[TaskDone]: ...

    def all_done_days(self, campaign_id: str, customer_id: str, month: str) -> int: ...

    def figures(
        self, campaign_id: str, since: datetime, worth: tuple[int, Fen], budget: Fen
    ) -> CoinFigures:
        """The campaign's coins; `worth` is (value_coins, value_fen), `since` today's start."""
        ...
