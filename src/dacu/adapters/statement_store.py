"""Settlement statements in SQL (`Statements`, and the run's writes).

A shop's statement is issued in one transaction (`SqlStatementBook`): its
unsettled due postings are read, the statement and its lines inserted and the
SETTLEMENT entry posted on the same connection, so the ledger and the
statements always reconcile. Each line holds its posting's id under a unique
constraint: two runs racing for one shop can never put a posting on two
statements (the loser's transaction fails whole and is retried). On PostgreSQL
the shop's run also takes a transaction-scoped advisory lock, so runs of one
shop queue instead of failing. Issued rows are never updated.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.sql import insert_for
from dacu.adapters.tables import (
    journal_entries,
    journal_postings,
    settlement_runs,
    statement_lines,
    statements,
)
from dacu.domain.errors import ConcurrentChange
from dacu.domain.ledger import DUE_KINDS, Entry, EntryKind, MerchantAccount, merchant, shop_of
from dacu.domain.settlement import Statement, StatementLine, StatementStatus
from dacu.domain.settlement_run import Due, in_order

_DUE = sorted(k.value for k in DUE_KINDS)


class SqlStatementBook:
    """One transaction of a settlement run for one shop."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self, campaign_id: str, shop: str) -> None:
        if self._connection.dialect.name == "postgresql":
            self._connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                {"k": f"settlement:{campaign_id}:{shop}"},
            )

    def unsettled(self, campaign_id: str, shop: str) -> list[Due]:
        return [_due(row) for row in self._connection.execute(_unsettled(campaign_id, shop))]

    def last_seq(self, campaign_id: str, shop: str) -> int:
        s = statements.c
        found = self._connection.scalar(
            select(func.max(s.seq)).where(s.campaign_id == campaign_id, s.shop == shop)
        )
        return int(found or 0)

    def add(self, statement: Statement, dues: list[Due], run_key: str) -> None:
        self._connection.execute(statements.insert().values(**_row(statement), run_key=run_key))
        by_no = {line.no: due for line, due in zip(statement.lines, in_order(dues), strict=True)}
        self._connection.execute(
            statement_lines.insert(),
            [
                {
                    "statement_id": statement.id,
                    "no": line.no,
                    "posting_id": by_no[line.no].posting_id,
                    "kind": line.kind.value,
                    "entry_key": line.entry_key,
                    "amount": line.amount,
                    "at": line.at,
                    "refs": dict(line.refs),
                }
                for line in statement.lines
            ],
        )

    def post(self, entry: Entry) -> bool:
        return SqlLedgerBook(self._connection).post(entry)


class SqlStatements:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def book(self) -> Iterator[SqlStatementBook]:
        """A transaction; a unique-constraint race or a busy database is ConcurrentChange
        (nothing of it is written; retrying is safe)."""
        try:
            with self._engine.begin() as connection:
                yield SqlStatementBook(connection)
        except (IntegrityError, OperationalError) as error:
            raise ConcurrentChange(f"a concurrent settlement run: {error.orig}") from None

    def claim_run(
        self, key: str, campaign_id: str, shop: str, by: str, at: datetime
    ) -> tuple[str, str, bool]:
        """Claim the run key: the (campaign, shop) it is for, and whether claimed now."""
        r = settlement_runs.c
        with self._engine.begin() as connection:
            claimed = connection.execute(
                insert_for(connection, settlement_runs)
                .values(key=key, campaign_id=campaign_id, shop=shop, by=by, at=at)
                .on_conflict_do_nothing(index_elements=[r.key])
                .returning(r.key)
            ).first()
            row = connection.execute(select(r.campaign_id, r.shop).where(r.key == key)).one()
        return row.campaign_id, row.shop, claimed is not None

    def of_run(self, key: str) -> list[Statement]:
        query = select(statements).where(statements.c.run_key == key)
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(statements.c.shop, statements.c.seq))
            return [_statement(row) for row in rows]

    def due_shops(self, campaign_id: str) -> list[str]:
        """The shops with due postings of the campaign not yet on a statement."""
        p, e, line = journal_postings.c, journal_entries.c, statement_lines.c
        query = (
            select(p.account)
            .distinct()
            .join_from(journal_postings, journal_entries, p.entry_id == e.id)
            .outerjoin(statement_lines, line.posting_id == p.id)
            .where(
                p.campaign_id == campaign_id,
                p.account.like("merchant:%"),
                e.kind != EntryKind.SETTLEMENT.value,
                line.posting_id.is_(None),
            )
        )
        with self._engine.connect() as connection:
            accounts = list(connection.scalars(query))
        due = {shop_of(a) for a in accounts if a.rsplit(":", 1)[1] in _DUE}
        return sorted(shop for shop in due if shop)

    def unsettled(self, campaign_id: str, shop: str) -> list[Due]:
        with self._engine.connect() as connection:
            return SqlStatementBook(connection).unsettled(campaign_id, shop)

    def statement(self, statement_id: str) -> Statement | None:
        found = self.header(statement_id)
        if found is None:
            return None
        lines = tuple(self.lines(statement_id, 0, 1_000_000))
        return Statement(**{**_fields(found), "lines": lines})

    def header(self, statement_id: str) -> Statement | None:
        """The statement without its lines."""
        query = select(statements).where(statements.c.id == statement_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _statement(row)

    def line_count(self, statement_id: str) -> int:
        query = select(statements.c.lines).where(statements.c.id == statement_id)
        with self._engine.connect() as connection:
            return int(connection.scalar(query) or 0)

    def lines(self, statement_id: str, offset: int, limit: int) -> list[StatementLine]:
        c = statement_lines.c
        query = (
            select(statement_lines)
            .where(c.statement_id == statement_id)
            .order_by(c.no)
            .offset(offset)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_line(row) for row in connection.execute(query)]

    def statements(self, campaign_id: str, shop: str | None = None) -> list[Statement]:
        s = statements.c
        query = select(statements).where(s.campaign_id == campaign_id)
        if shop is not None:
            query = query.where(s.shop == shop)
        query = query.order_by(s.issued_at.desc(), s.shop, s.seq.desc())
        with self._engine.connect() as connection:
            return [_statement(row) for row in connection.execute(query)]

    def settled_campaigns(self) -> set[str]:
        """The campaigns some run has been claimed for."""
        with self._engine.connect() as connection:
            return set(connection.scalars(select(settlement_runs.c.campaign_id).distinct()))


def _unsettled(campaign_id: str, shop: str) -> Any:
    p, e, line = journal_postings.c, journal_entries.c, statement_lines.c
    accounts = [merchant(shop, MerchantAccount(k)) for k in _DUE]
    return (
        select(p.id, p.account, p.amount, p.at, e.key, e.kind, e.refs)
        .join_from(journal_postings, journal_entries, p.entry_id == e.id)
        .outerjoin(statement_lines, line.posting_id == p.id)
        .where(
            p.campaign_id == campaign_id,
            p.account.in_(accounts),
            e.kind != EntryKind.SETTLEMENT.value,
            line.posting_id.is_(None),
        )
        .order_by(p.at, p.id)
    )


def _due(row: Any) -> Due:
    return Due(
        int(row.id),
        MerchantAccount(row.account.rsplit(":", 1)[1]),
        row.key,
        EntryKind(row.kind),
        int(row.amount),
        row.at,
        {k: str(v) for k, v in (row.refs or {}).items()},
    )


def _row(statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.id,
        "campaign_id": statement.campaign_id,
        "shop": statement.shop,
        "seq": statement.seq,
        "issued_at": statement.issued_at,
        "due_on": statement.due_on,
        "total": statement.total,
        "status": statement.status.value,
        "prepared_by": statement.prepared_by,
        "lines": len(statement.lines),
    }


def _fields(statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.id,
        "campaign_id": statement.campaign_id,
        "shop": statement.shop,
        "seq": statement.seq,
        "issued_at": statement.issued_at,
        "due_on": statement.due_on,
        "total": statement.total,
        "status": statement.status,
        "prepared_by": statement.prepared_by,
    }


def _statement(row: Any) -> Statement:
    due_on = row.due_on if isinstance(row.due_on, date) else date.fromisoformat(row.due_on)
    return Statement(
        row.id,
        row.campaign_id,
        row.shop,
        int(row.seq),
        row.issued_at,
        due_on,
        int(row.total),
        StatementStatus(row.status),
        (),
        row.prepared_by,
    )


def _line(row: Any) -> StatementLine:
    return StatementLine(
        int(row.no),
        MerchantAccount(row.kind),
        row.entry_key,
        int(row.amount),
        row.at,
        dict(row.refs or {}),
    )
