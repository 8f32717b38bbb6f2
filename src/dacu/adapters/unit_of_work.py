"""One SQL transaction, with the order, coupon, budget and ledger books on its connection.

Leaving the block normally commits; leaving it by an exception rolls back, so a
use case's writes land together or not at all.
"""

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.engine import Connection, RootTransaction

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.coupon_repository import SqlCouponRepository
from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.order_repository import SqlOrderRepository
from dacu.adapters.outbox_store import SqlOutbox


class SqlUnitOfWork:
    orders: SqlOrderRepository
    coupons: SqlCouponRepository
    outbox: SqlOutbox
    budgets: SqlBudgets
    ledger: SqlLedgerBook

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        self._connection = self._engine.connect()
        self._transaction = self._connection.begin()
        self.orders = SqlOrderRepository(self._connection)
        self.coupons = SqlCouponRepository(self._connection)
        self.outbox = SqlOutbox(self._connection)
        self.budgets = SqlBudgets(self._connection)
        self.ledger = SqlLedgerBook(self._connection)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        assert self._transaction is not None
        try:
            if kind is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        finally:
            self._connection.close()
            self._connection = self._transaction = None
