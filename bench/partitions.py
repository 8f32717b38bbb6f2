"""What monthly partitions cost the write paths and buy the time-bounded reads, on
PostgreSQL, printed as one JSON object: the same work on the plain tables (schema at
migration 0045) and on the partitioned ones (0060), each in a fresh schema.

- `orders_per_s`: one order per transaction through `SqlOrderRepository.add` (the
  SQL checkout's write: on the partitioned layout the trigger claims its keys).
- `entries_per_s`: one journal entry (two postings) per transaction through
  `SqlLedger.post` (the key claimed in `journal_keys` when partitioned).
- `events_per_s`: `SqlKpiStore.record` in batches of 1,000 (rolled up too).
- `month_balance_ms`: the balances of one month's postings (a query bounded by
  the partition key) over `--months` months of postings, median of 20.

    python bench/partitions.py [--orders 3000] [--entries 3000] [--events 20000]
"""

import argparse
import json
import os
import statistics
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.ledger_store import SqlLedger
from dacu.adapters.partitions import create_month, month_of, next_month
from dacu.adapters.unit_of_work import SqlUnitOfWork
from dacu.domain.cart import Cart, CartLine, CartMode, Customer
from dacu.domain.events import Channel, Event, EventKind, Segment
from dacu.domain.ledger import Entry, EntryKind, transfer
from dacu.domain.orders import order_from_quote
from dacu.domain.pricing import price

DATABASE = os.environ.get("DACU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 1, tzinfo=SHANGHAI)


def _schema(revision: str) -> tuple[str, Engine, str]:
    schema = f"bench_partitions_{uuid.uuid4().hex[:8]}"
    admin = make_engine(DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = database_url(DATABASE).update_query_dict({"options": f"-csearch_path={schema}"})
    raw = url.render_as_string(hide_password=False)
    upgrade(raw, revision)
    return schema, make_engine(raw), raw


def _drop(schema: str) -> None:
    admin = make_engine(DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _orders(engine: Engine, n: int, months: int) -> float:
    lines = (CartLine("A", "s1", 1000, 2, "apparel"), CartLine("B", "s1", 500, 1, "apparel"))
    quote = price(Cart(lines, CartMode.NORMAL), Customer("u1", phone_verified=True), [], [], START)
    order = order_from_quote("o", "u1", quote, START, timedelta(minutes=15))
    began = time.perf_counter()
    for i in range(n):
        at = START + timedelta(days=(i * 31 * months) // n)
        with SqlUnitOfWork(engine) as uow:
            uow.orders.add(replace(order, id=f"o{i}", created_at=at), f"k{i}", "h")
    return n / (time.perf_counter() - began)


def _entries(engine: Engine, n: int, months: int) -> float:
    ledger = SqlLedger(engine)
    postings = transfer("platform:subsidy", "merchant:s:rebate", 100, "c")
    began = time.perf_counter()
    for i in range(n):
        at = START + timedelta(days=(i * 31 * months) // n)
        ledger.post(Entry(f"e:{i}", EntryKind.ORDER_PAID, at, postings))
    return n / (time.perf_counter() - began)


def _events(engine: Engine, n: int, months: int) -> float:
    store = SqlKpiStore(engine)
    began = time.perf_counter()
    for start in range(0, n, 1000):
        batch = [
            Event(
                id=f"ev{i}",
                kind=EventKind.SKU_VIEW,
                campaign_id="c",
                customer_id=f"u{i % 5000}",
                channel=Channel.APP,
                segment=Segment.NEW,
                at=START + timedelta(days=(i * 31 * months) // n),
                sku="A",
            )
            for i in range(start, min(n, start + 1000))
        ]
        store.record(batch, datetime.now(SHANGHAI))
    return n / (time.perf_counter() - began)


def _month_balance_ms(engine: Engine) -> float:
    lo, hi = START + timedelta(days=40), START + timedelta(days=70)
    query = text(
        "SELECT account, sum(amount) FROM journal_postings WHERE at >= :lo AND at < :hi"
        " GROUP BY account"
    )
    times = []
    with engine.connect() as connection:
        for _ in range(20):
            began = time.perf_counter()
            connection.execute(query, {"lo": month_of(lo), "hi": month_of(hi)}).all()
            times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _months_of(engine: Engine, months: int) -> None:
    """The partitions for the bench's months (the migration made only the current ones)."""
    month = START
    with engine.begin() as connection:
        for _ in range(months):
            for table in ("events", "orders", "journal_entries", "journal_postings"):
                create_month(connection, table, month)
            month = next_month(month)


def run(revision: str, args: argparse.Namespace) -> dict[str, float]:
    schema, engine, _ = _schema(revision)
    try:
        if revision == "0060":
            _months_of(engine, args.months)
        figures = {
            "orders_per_s": _orders(engine, args.orders, args.months),
            "entries_per_s": _entries(engine, args.entries, args.months),
            "events_per_s": _events(engine, args.events, args.months),
            "month_balance_ms": _month_balance_ms(engine),
        }
        return {name: round(value, 1) for name, value in figures.items()}
    finally:
        engine.dispose()
        _drop(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    plain, partitioned = run("0045", args), run("0060", args)
    print(json.dumps({"plain": plain, "partitioned": partitioned, "cores": os.cpu_count()}))


if __name__ == "__main__":
    main()
