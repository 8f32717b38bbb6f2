"""Merchant rebates in SQL (`RebateStore`): one transaction per paid or refunded order.

The customer's `rebate_firsts` row is claimed with one INSERT … SELECT (the
earliest placed of their paid orders) and then held (`FOR UPDATE` on
PostgreSQL; SQLite has one writer, and the claim is the transaction's first
statement, a write), so a paid fact and a refund of one customer, or the same
fact delivered twice at once, take turns. An accrual is one row per key,
INSERT … ON CONFLICT DO NOTHING; its budget is drawn on the same connection
(`SqlBudgets`), and so is its ledger entry (`SqlLedgerBook`).
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, false, func, literal, select, update
from sqlalchemy.engine import Connection

from dacu.adapters.budget_store import SqlBudgets
from dacu.adapters.codec import order_from_row
from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import customers, orders, rebate_firsts, rebates, referrals
from dacu.domain.growth import line_id
from dacu.domain.ledger import Entry
from dacu.domain.orders import OrderStatus
from dacu.domain.rebates import (
    LINE,
    Accrual,
    MerchantReferral,
    PaidOrder,
    RebateKind,
    RebateStatus,
    Sum,
    paid_at_shops,
)
from dacu.domain.types import Fen

_PAID = (OrderStatus.PAID.value, OrderStatus.REFUNDED.value)


class SqlRebateBook:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def claim_first(self, customer_id: str, order_id: str) -> tuple[str, bool]:
        row = rebate_firsts.c
        earliest = (
            select(
                literal(customer_id).label("customer_id"),
                orders.c.id,
                literal(False).label("refunded"),
            )
            .where(orders.c.customer_id == customer_id, orders.c.status.in_(_PAID))
            .order_by(orders.c.created_at, orders.c.id)
            .limit(1)
        )
        claim = insert_for(self._connection, rebate_firsts)
        self._connection.execute(
            claim.from_select(
                ["customer_id", "order_id", "refunded"], earliest
            ).on_conflict_do_nothing(index_elements=[row.customer_id])
        )
        self._connection.execute(  # none found paid (yet): this order is the first
            claim.values(
                customer_id=customer_id, order_id=order_id, refunded=False
            ).on_conflict_do_nothing(index_elements=[row.customer_id])
        )
        query = select(row.order_id, row.refunded).where(row.customer_id == customer_id)
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        found = self._connection.execute(query).one()
        return found.order_id, bool(found.refunded)

    def mark_refunded(self, customer_id: str) -> None:
        self._connection.execute(
            update(rebate_firsts)
            .where(rebate_firsts.c.customer_id == customer_id)
            .values(refunded=True)
        )

    def order(self, order_id: str) -> PaidOrder | None:
        row = self._connection.execute(select(orders).where(orders.c.id == order_id)).one_or_none()
        if row is None:
            return None
        order = order_from_row(row)
        return PaidOrder(
            order.id,
            order.customer_id,
            order.created_at,
            paid_at_shops((line.shop, line.payable) for line in order.lines),
            order.status is OrderStatus.REFUNDED,
        )

    def verified(self, customer_id: str) -> bool:
        found = self._connection.scalar(
            select(customers.c.phone_verified).where(customers.c.id == customer_id)
        )
        return bool(found)

    def merchant_referral(self, customer_id: str) -> MerchantReferral | None:
        row = self._connection.execute(
            select(referrals.c.referrer, referrals.c.campaign_id).where(
                referrals.c.customer_id == customer_id, referrals.c.kind == "merchant"
            )
        ).one_or_none()
        return None if row is None else MerchantReferral(row.referrer, row.campaign_id)

    def add(self, accrual: Accrual) -> bool:
        placed = self._connection.execute(
            insert_for(self._connection, rebates)
            .values(
                key=accrual.key,
                kind=accrual.kind.value,
                shop=accrual.shop,
                campaign_id=accrual.campaign_id,
                customer_id=accrual.customer_id,
                order_id=accrual.order_id,
                order_amount=accrual.order_amount,
                amount=accrual.amount,
                status=accrual.status.value,
                reason=accrual.reason,
                at=accrual.at,
            )
            .on_conflict_do_nothing(index_elements=[rebates.c.key])
            .returning(rebates.c.key)
        ).first()
        return placed is not None

    def move(
        self, key: str, to: RebateStatus, only: Collection[RebateStatus], at: datetime
    ) -> bool:
        values: dict[str, Any] = {"status": to.value}
        if to is RebateStatus.SETTLED:
            values["settled_at"] = at
        done = self._connection.execute(
            update(rebates)
            .where(rebates.c.key == key, rebates.c.status.in_([s.value for s in only]))
            .values(**values)
        )
        return done.rowcount == 1

    def of_order(self, order_id: str) -> list[Accrual]:
        rows = self._connection.execute(
            select(rebates).where(rebates.c.order_id == order_id).order_by(rebates.c.key)
        )
        return [_accrual(row) for row in rows]

    def line(self, key: str) -> Accrual | None:
        row = self._connection.execute(select(rebates).where(rebates.c.key == key)).one_or_none()
        return None if row is None else _accrual(row)

    def draw(self, campaign_id: str, amount: Fen, base: Fen) -> bool:
        return SqlBudgets(self._connection).draw(line_id(campaign_id, LINE), amount, base)

    def give(self, campaign_id: str, amount: Fen) -> None:
        SqlBudgets(self._connection).give({line_id(campaign_id, LINE): amount})

    def post(self, entry: Entry) -> bool:
        return SqlLedgerBook(self._connection).post(entry)


class SqlRebateStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def book(self) -> Iterator[SqlRebateBook]:
        with self._engine.begin() as connection:
            yield SqlRebateBook(connection)

    def accruals(
        self, campaign_id: str, shops: Collection[str] | None = None, limit: int = 100_000
    ) -> list[Accrual]:
        query = select(rebates).where(rebates.c.campaign_id == campaign_id)
        if shops is not None:
            query = query.where(rebates.c.shop.in_(list(shops)) if shops else false())
        query = query.order_by(rebates.c.at, rebates.c.key).limit(limit)
        with self._engine.connect() as connection:
            return [_accrual(row) for row in connection.execute(query)]

    def sums(self, campaign_id: str, shops: Collection[str] | None = None) -> dict[str, list[Sum]]:
        row = rebates.c
        query = (
            select(row.shop, row.kind, row.status, func.sum(row.amount), func.count())
            .where(row.campaign_id == campaign_id)
            .group_by(row.shop, row.kind, row.status)
        )
        if shops is not None:
            query = query.where(row.shop.in_(list(shops)) if shops else false())
        found: dict[str, list[Sum]] = {}
        with self._engine.connect() as connection:
            for shop, kind, status, amount, count in connection.execute(query):
                summed = (RebateKind(kind), RebateStatus(status), int(amount), int(count))
                found.setdefault(shop, []).append(summed)
        return found

    def line_drawn(self, campaign_id: str) -> Fen:
        with self._engine.connect() as connection:
            drawn, _ = SqlBudgets(connection).drawn(line_id(campaign_id, LINE))
        return drawn


def _accrual(row: Any) -> Accrual:
    return Accrual(
        row.key,
        RebateKind(row.kind),
        row.shop,
        row.campaign_id,
        row.customer_id,
        row.order_id,
        int(row.order_amount),
        int(row.amount),
        RebateStatus(row.status),
        row.at,
        row.reason,
    )
