"""Events, orders and the journal partitioned by month on PostgreSQL (migrations
0058–0060, `adapters/partitions.py`, `dacu db partitions`): rows survive the
conversion both ways, the keys that must be unique over every month still are,
a time-bounded query reads only its months, and retention drops raw events only."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from dacu.adapters.db import alembic_config, database_url, make_engine, upgrade
from dacu.adapters.ledger_store import SqlLedgerBook
from dacu.adapters.partitions import create_month, month_of, next_month, partition_name
from dacu.adapters.tables import (
    events,
    journal_entries,
    journal_postings,
    ledger,
    orders,
    refunds,
    statement_lines,
    statements,
)
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.domain.ledger import Entry, EntryKind, transfer
from tests.e2e.cli import clean_env, run_dacu
from tests.integration.conftest import NO_POSTGRES, POSTGRES_URL
from tests.integration.test_order_repository import an_order

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEPTEMBER = datetime(2026, 9, 14, 10, tzinfo=SHANGHAI)
OCTOBER = datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)  # the first instant of its month
NOVEMBER = datetime(2026, 11, 11, 20, tzinfo=SHANGHAI)
TIMES = (SEPTEMBER, OCTOBER, NOVEMBER)
TABLES = ("events", "orders", "journal_entries", "journal_postings")


@contextmanager
def database(revision: str) -> Iterator[tuple[str, Engine]]:
    """A schema of the test's own on the test server, migrated to `revision`."""
    assert POSTGRES_URL is not None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = database_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    raw = url.render_as_string(hide_password=False)
    upgrade(raw, revision)
    engine = make_engine(raw, pool_size=4, max_overflow=12)
    try:
        yield raw, engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _fill(engine: Engine) -> None:
    """An order, a refund, a funding row, an event, a journal entry with its postings
    and a statement line for it, in each of three months."""
    with engine.begin() as connection:
        for i, at in enumerate(TIMES):
            order_id = f"o{i}"
            connection.execute(insert(orders).values(**_order(order_id, f"k{i}", at)))
            connection.execute(
                insert(refunds).values(
                    id=f"r{i}",
                    order_id=order_id,
                    idempotency_key="rk",
                    sku="A",
                    qty=1,
                    amount=100,
                    at=at,
                )
            )
            connection.execute(
                insert(ledger).values(
                    order_id=order_id, rule_id="x", shop="s", platform=1, merchant=2, at=at
                )
            )
            connection.execute(insert(events).values(**_event(f"e{i}", at)))
            SqlLedgerBook(connection).post(_entry(f"order_paid:{order_id}", at))
        posting = connection.execute(
            select(journal_postings.c.id, journal_postings.c.at).order_by(journal_postings.c.id)
        ).first()
        assert posting is not None
        connection.execute(
            insert(statements).values(
                id="c:s:1",
                campaign_id="c",
                shop="s",
                seq=1,
                issued_at=NOVEMBER,
                due_on=NOVEMBER.date(),
                total=1,
                status="issued",
                prepared_by="ops",
                run_key="run",
                lines=1,
            )
        )
        connection.execute(
            insert(statement_lines).values(
                statement_id="c:s:1",
                no=1,
                posting_id=posting.id,
                kind="rebate",
                entry_key="order_paid:o0",
                amount=1,
                at=posting.at,
                refs={},
            )
        )


def _order(order_id: str, key: str, at: datetime) -> dict[str, object]:
    return {
        "id": order_id, "customer_id": "u1", "idempotency_key": key, "request_hash": "h",
        "status": "pending", "document": {}, "refunded": {}, "version": 1,
        "created_at": at, "pay_by": at + timedelta(minutes=15),
    }  # fmt: skip


def _event(event_id: str, at: datetime) -> dict[str, object]:
    return {
        "id": event_id, "campaign_id": "c", "kind": "view", "customer_id": "u1",
        "channel": "app", "segment": "new", "at": at, "sku": "A", "received_at": at,
    }  # fmt: skip


def _entry(key: str, at: datetime) -> Entry:
    postings = transfer("platform:subsidy", "merchant:s:rebate", 100, "c")
    return Entry(key, EntryKind.ORDER_PAID, at, postings, {"shop": "s"})


def _contents(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    tables = (orders, refunds, ledger, events, journal_entries, journal_postings, statement_lines)
    with engine.connect() as connection:
        return {
            t.name: sorted(tuple(map(str, row)) for row in connection.execute(select(t)))
            for t in tables
        }


def _kinds(engine: Engine) -> dict[str, str]:
    query = text("SELECT relname, relkind FROM pg_class WHERE oid = to_regclass(:t)")
    with engine.connect() as connection:
        return {t: connection.execute(query, {"t": t}).one().relkind for t in TABLES}


def _holds_the_keys(engine: Engine) -> None:
    """A second order for a key, a second entry for a natural key: refused."""
    with SqlUnitOfWork(engine) as uow:
        assert not uow.orders.add(an_order("o-again"), "k0", "h2")  # u1's key k0 is taken
        assert not uow.orders.add(an_order("o1"), "k-new", "h2")  # so is the id o1
    with engine.begin() as connection:
        assert not SqlLedgerBook(connection).post(_entry("order_paid:o0", NOVEMBER))
        # another month, same key: still the one entry
        assert not SqlLedgerBook(connection).post(_entry("order_paid:o1", SEPTEMBER))
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(orders)) == 3
        assert connection.scalar(select(func.count()).select_from(journal_entries)) == 3
        assert connection.scalar(select(func.count()).select_from(journal_postings)) == 6


def test_converting_keeps_every_row_and_every_key_both_ways():
    with database("0045") as (url, engine):
        _fill(engine)
        before = _contents(engine)
        config = alembic_config(url)

        command.upgrade(config, "0060")
        assert _kinds(engine) == dict.fromkeys(TABLES, "p")
        assert _contents(engine) == before
        _holds_the_keys(engine)

        command.downgrade(config, "0045")
        assert _kinds(engine) == dict.fromkeys(TABLES, "r")
        assert _contents(engine) == before
        _holds_the_keys(engine)

        command.upgrade(config, "0060")
        assert _contents(engine) == before


def test_a_key_taken_in_another_month_is_refused_and_the_key_table_says_so():
    with database("0060") as (_url, engine):
        _fill(engine)
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("INSERT INTO order_keys VALUES ('o9', 'u1', 'k0', now())"))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE orders SET idempotency_key = 'k1' WHERE id = 'o0'"))
        with pytest.raises(IntegrityError), engine.begin() as connection:  # refunds' order
            connection.execute(
                insert(refunds).values(
                    id="r9",
                    order_id="nowhere",
                    idempotency_key="x",
                    sku="A",
                    qty=1,
                    amount=1,
                    at=NOVEMBER,
                )
            )
        with engine.begin() as connection:  # a deleted entry gives its key back
            connection.execute(
                text(
                    "DELETE FROM journal_postings WHERE entry_id IN"
                    " (SELECT id FROM journal_entries WHERE key = 'order_paid:o2')"
                )
            )
            connection.execute(text("DELETE FROM journal_entries WHERE key = 'order_paid:o2'"))
            assert SqlLedgerBook(connection).post(_entry("order_paid:o2", SEPTEMBER))


def _months_of_the_rows(engine: Engine) -> None:
    """Partitions for the months `_fill` wrote into the default one (they move over)."""
    with engine.begin() as connection:
        for table in TABLES:
            for at in TIMES:
                assert create_month(connection, table, month_of(at))


def test_a_time_bounded_query_reads_only_its_month():
    with database("0060") as (_url, engine):
        _fill(engine)
        before = _contents(engine)
        _months_of_the_rows(engine)
        assert _contents(engine) == before
        _holds_the_keys(engine)
        query = (
            "EXPLAIN SELECT count(*) FROM {} WHERE at >= '2026-10-01T00:00+08:00'"
            " AND at < '2026-11-01T00:00+08:00'"
        )
        with engine.connect() as connection:
            for table in ("events", "journal_postings"):
                plan = "\n".join(connection.scalars(text(query.format(table))))
                assert f"{table}_p202610" in plan
                assert f"{table}_p202609" not in plan
                assert f"{table}_default" not in plan


def _partitions(engine: Engine) -> dict[str, int]:
    query = text(
        "SELECT c.relname FROM pg_inherits i"
        " JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent"
        " WHERE p.relname = ANY(:tables)"
    )
    with engine.connect() as connection:
        names = [row[0] for row in connection.execute(query, {"tables": list(TABLES)})]
        return {n: connection.scalar(text(f"SELECT count(*) FROM {n}")) for n in names}


def test_the_command_makes_months_ahead_and_drops_only_old_raw_events():
    with database("0060") as (url, engine):
        _fill(engine)
        _months_of_the_rows(engine)
        later = month_of(datetime.now(SHANGHAI))
        for _ in range(5):
            later = next_month(later)
        with engine.begin() as connection:  # caught by the default partition for now
            connection.execute(insert(events).values(**_event("e-later", later)))
            connection.execute(insert(orders).values(**_order("o-later", "k-later", later)))
        env = clean_env(DACU_DATABASE_URL=url)

        made = run_dacu("db", "partitions", "--ahead", "6", env=env)

        assert made.returncode == 0, made.stderr
        for table in TABLES:
            assert f"created {partition_name(table, later)}" in made.stdout
        found = _partitions(engine)
        assert found[partition_name("events", later)] == 1
        assert found[partition_name("orders", later)] == 1
        assert found["events_default"] == found["orders_default"] == 0
        with SqlUnitOfWork(engine) as uow:  # moved, not deleted: its key still holds
            assert not uow.orders.add(an_order("o-other"), "k-later", "h")

        # a retention ending in mid-October: September's raw events go, nothing else
        days = (datetime.now(SHANGHAI) - datetime(2026, 10, 15, tzinfo=SHANGHAI)).days
        kept = run_dacu("db", "partitions", "--retain-events", str(days), env=env)

        assert kept.returncode == 0, kept.stderr
        assert "dropped events_p202609" in kept.stdout
        assert "dropped" not in kept.stdout.replace("dropped events_p202609", "")
        after = _partitions(engine)
        assert "events_p202609" not in after
        assert after["events_p202610"] == 1
        for table in ("orders", "journal_entries", "journal_postings"):
            assert after[f"{table}_p202609"] == found[f"{table}_p202609"] > 0
        listed = [line.split() for line in kept.stdout.splitlines() if "_p2026" in line]
        assert ["events", "events_p202610", "2026-10", "1", "rows"] in listed
