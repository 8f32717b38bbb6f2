"""The double-entry ledger in SQL (`LedgerBook`, `Ledger`).

An entry is one row of `journal_entries`, inserted ON CONFLICT DO NOTHING
(its key is unique: on PostgreSQL across every month's partition, through
`journal_keys`, see migration 0060), and — only when that row is new — its postings, in the same
transaction: a retry or a race of the same key posts nothing, and a crash
between the two writes leaves neither. `SqlLedgerBook` writes on a caller's
connection (inside the transaction that pays an order, say); `SqlLedger`
gives each entry a transaction of its own and reads.
"""

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from dacu.adapters.sql import insert_for
from dacu.adapters.tables import journal_entries, journal_postings
from dacu.domain.ledger import Entry, EntryKind, Line
from dacu.domain.types import Fen


class SqlLedgerBook:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def post(self, entry: Entry) -> bool:
        found = self._connection.execute(
            insert_for(self._connection, journal_entries)
            .values(
                key=entry.key,
                kind=entry.kind.value,
                at=entry.at,
                refs=dict(entry.refs),
                memo=entry.memo,
            )
            .on_conflict_do_nothing()
            .returning(journal_entries.c.id)
        ).scalar()
        if found is None:
            return False
        self._connection.execute(
            journal_postings.insert(),
            [
                {
                    "entry_id": found,
                    "account": p.account,
                    "campaign_id": p.campaign_id,
                    "amount": p.amount,
                    "at": entry.at,
                }
                for p in entry.postings
            ],
        )
        return True


class SqlLedger:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def post(self, entry: Entry) -> bool:
        with self._engine.begin() as connection:
            return SqlLedgerBook(connection).post(entry)

    def trial_balance(self) -> Fen:
        with self._engine.connect() as connection:
            total = connection.scalar(select(func.coalesce(func.sum(journal_postings.c.amount), 0)))
        return int(total or 0)

    def balances(
        self,
        prefix: str = "",
        campaign_id: str | None = None,
        until: datetime | None = None,
    ) -> Mapping[str, Fen]:
        p = journal_postings.c
        query = select(p.account, func.sum(p.amount)).group_by(p.account)
        query = _where(query, prefix, campaign_id)
        if until is not None:
            query = query.where(p.at < until)
        with self._engine.connect() as connection:
            return {account: int(total) for account, total in connection.execute(query)}

    def lines(
        self,
        prefix: str,
        campaign_id: str | None = None,
        kinds: Collection[EntryKind] | None = None,
        limit: int = 100_000,
    ) -> list[Line]:
        query = _where(_joined(), prefix, campaign_id)
        if kinds is not None:
            query = query.where(journal_entries.c.kind.in_([k.value for k in kinds]))
        query = query.order_by(journal_postings.c.at, journal_postings.c.id).limit(limit)
        with self._engine.connect() as connection:
            return [_line(row) for row in connection.execute(query)]

    def entry(self, key: str) -> list[Line] | None:
        query = _joined().where(journal_entries.c.key == key).order_by(journal_postings.c.id)
        with self._engine.connect() as connection:
            found = [_line(row) for row in connection.execute(query)]
        return found or None


def _joined() -> Any:
    e, p = journal_entries.c, journal_postings.c
    return select(
        e.key, e.kind, e.refs, e.memo, p.at, p.account, p.amount, p.campaign_id
    ).join_from(journal_postings, journal_entries, p.entry_id == e.id)


def _where(query: Any, prefix: str, campaign_id: str | None) -> Any:
    p = journal_postings.c
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(p.account.like(f"{escaped}%", escape="\\"))
    if campaign_id is not None:
        query = query.where(p.campaign_id == campaign_id)
    return query


def _line(row: Any) -> Line:
    return Line(
        row.key,
        EntryKind(row.kind),
        row.at,
        row.account,
        int(row.amount),
        row.campaign_id,
        dict(row.refs or {}),
        row.memo,
    )
