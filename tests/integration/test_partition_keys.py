"""Keys that must hold over every month of a partitioned table, under races on
PostgreSQL: many writers of one Idempotency-Key place one order, many posts of one
natural key make one journal entry — whichever month each writer's row would fall in."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dacu.adapters.ledger_store import SqlLedger
from dacu.adapters.tables import journal_entries, journal_postings, orders
from dacu.adapters.unit_of_work import SqlUnitOfWork
from tests.integration.conftest import NO_POSTGRES, POSTGRES_URL
from tests.integration.test_order_repository import an_order
from tests.integration.test_partitions import OCTOBER, _entry, database

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES),
]

WRITERS = 12


def test_racing_checkouts_of_one_key_place_one_order_across_months():
    with database("0060") as (_url, engine):

        def place(i: int) -> bool:
            order = replace(an_order(f"o{i}"), created_at=OCTOBER + timedelta(days=31 * (i % 3)))
            with SqlUnitOfWork(engine) as uow:
                return uow.orders.add(order, "the-key", f"h{i}")

        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            placed = list(pool.map(place, range(WRITERS)))

        assert placed.count(True) == 1
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(orders)) == 1


def test_racing_posts_of_one_natural_key_make_one_entry_across_months():
    with database("0060") as (_url, engine):
        ledger = SqlLedger(engine)

        def post(i: int) -> bool:
            return ledger.post(_entry("order_paid:raced", OCTOBER + timedelta(days=31 * (i % 3))))

        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            posted = list(pool.map(post, range(WRITERS)))

        assert posted.count(True) == 1
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(journal_entries)) == 1
            assert connection.scalar(select(func.count()).select_from(journal_postings)) == 2
        assert ledger.trial_balance() == 0
