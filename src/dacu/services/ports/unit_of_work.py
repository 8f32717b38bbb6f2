"""One transaction over the order and coupon repositories: all its writes or none.

Leaving the `with` block normally commits; leaving it with an exception rolls back.
"""

from types import TracebackType
from typing import Protocol, Self

from dacu.services.ports.budgets import BudgetBook
from dacu.services.ports.coupons import CouponRepository
from dacu.services.ports.ledger import LedgerBook
from dacu.services.ports.orders import OrderRepository
from dacu.services.ports.outbox import Outbox


class UnitOfWork(Protocol):
    @property
    def orders(self) -> OrderRepository: ...

    @property
    def coupons(self) -> CouponRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def budgets(self) -> BudgetBook: ...

    @property
    def ledger(self) -> LedgerBook: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...
