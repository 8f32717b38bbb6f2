"""Payouts in SQL (`PayoutStore`): the row and its PAYOUT entry in one transaction; the
row's key is its primary key, so a retry or a race finds the payout made and posts
nothing. Marking the statement paid writes the `statements` row's status."""

from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine, column, select, table, update
from sqlalchemy.exc import IntegrityError

from dacu.adapters.appeal_store import writing
from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.tables import payouts
from dacu.domain.ledger import Entry
from dacu.domain.payouts import Payout
from dacu.domain.settlement import StatementStatus

# the settlement run's table, as much of it as a payout changes
_statements = table("statements", column("id"), column("status"))


class SqlPayoutStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def pay(self, payout: Payout, entry: Entry) -> Payout:
        try:
            with writing(self._engine) as connection:
                connection.execute(payouts.insert().values(**_row(payout)))
                SqlLedgerBook(connection).post(entry)
            return payout
        except IntegrityError:
            kept = self.payout(payout.key)
            if kept is None:
                raise
            return kept

    def payout(self, key: str) -> Payout | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(payouts).where(payouts.c.key == key)).first()
        return None if row is None else _payout(row._mapping)

    def payouts(
        self, statement_id: str | None = None, shops: Collection[str] | None = None
    ) -> list[Payout]:
        query = select(payouts).order_by(payouts.c.at.desc(), payouts.c.key).limit(2000)
        if statement_id is not None:
            query = query.where(payouts.c.statement_id == statement_id)
        if shops is not None:
            query = query.where(payouts.c.shop.in_(sorted(shops)))
        with self._engine.connect() as connection:
            return [_payout(row._mapping) for row in connection.execute(query)]

    def mark_paid(self, statement_id: str) -> bool:
        paid = StatementStatus.PAID.value
        with writing(self._engine) as connection:
            return (
                connection.execute(
                    update(_statements)
                    .where(_statements.c.id == statement_id, _statements.c.status != paid)
                    .values(status=paid)
                ).rowcount
                == 1
            )


def _row(payout: Payout) -> dict[str, Any]:
    return {
        "key": payout.key,
        "statement_id": payout.statement_id,
        "part": payout.part,
        "shop": payout.shop,
        "campaign_id": payout.campaign_id,
        "amount": payout.amount,
        "by": payout.by,
        "at": payout.at,
        "lines": list(payout.lines),
        "file": payout.file,
    }


def _payout(row: Any) -> Payout:
    return Payout(
        key=row["key"],
        statement_id=row["statement_id"],
        part=row["part"],
        shop=row["shop"],
        campaign_id=row["campaign_id"],
        amount=row["amount"],
        by=row["by"],
        at=row["at"],
        lines=tuple(row["lines"]),
        file=row["file"],
    )
