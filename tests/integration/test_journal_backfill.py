"""Migration 0033_journal_backfill: a database whose orders were paid and refunded, and
whose rebates accrued, before the double-entry ledger existed gets the entries the
code posts — the same keys, times, references and postings — and a zero trial balance.

The database is made with today's code (which posts as it goes), its journal is kept
aside and emptied, the schema stamped back at 0032 and upgraded again: what the
migration writes must be what the code wrote."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, delete, select

from dacu.adapters.db import alembic_config
from dacu.adapters.tables import journal_entries, journal_postings, rebates
from dacu.bootstrap import bootstrap
from dacu.domain.coupons import Claimant
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import stock_example_goods
from tests.integration.rebates_rig import NOW, member, paid_order, rebate_platform
from tests.integration.test_orders import BURST, BUYER, CART, WARM_UP

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _journal(engine: Engine) -> dict[str, Any]:
    e, p = journal_entries.c, journal_postings.c
    query = select(e.key, e.kind, e.at, e.refs, p.account, p.campaign_id, p.amount, p.at)
    found: dict[str, Any] = {}
    with engine.connect() as connection:
        for row in connection.execute(query.join_from(journal_postings, journal_entries)):
            entry = found.setdefault(row[0], (row[1], row[2], row[3], []))
            entry[3].append((row.account, row.campaign_id, row.amount, row[7] == row[2]))
    return {k: (kind, at, refs, sorted(ps)) for k, (kind, at, refs, ps) in found.items()}


def _backfill_again(engine: Engine) -> None:
    """Forget the journal and run the migration as an upgrade from 0032 would."""
    with engine.begin() as connection:
        connection.execute(delete(journal_postings))
        connection.execute(delete(journal_entries))
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    command.stamp(config, "0032_journal")
    command.upgrade(config, "0033_journal_backfill")
    command.stamp(config, "head")


def _campaign_orders(engine: Engine) -> None:
    """The double 11 campaign: an order with a platform coupon paid, a part refunded."""
    platform = bootstrap(engine, clock=lambda: BURST)
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    loaded = load_campaign(json.loads(json.dumps(document, default=str)))
    platform.campaigns.apply(*loaded, "ops", WARM_UP)
    stock_example_goods(platform)
    platform.coupons.claim("warm-up-300-30", Claimant(BUYER.id), "c1", WARM_UP)
    order = platform.orders.checkout(CART, BUYER, "k1", BURST)
    platform.orders.pay(order.id, BURST + timedelta(minutes=1))
    platform.orders.refund(order.id, "A-COAT", 1, "r1", BURST + timedelta(hours=2), "rf1")
    platform.orders.refund(order.id, "A-SCARF", 2, "r2", BURST + timedelta(hours=3), "rf2")
    plain = platform.orders.checkout(CART, BUYER, "k2", BURST)  # paid, no coupon
    platform.orders.pay(plain.id, BURST + timedelta(minutes=2))


def _rebates_accrued(engine: Engine) -> None:
    platform = rebate_platform(engine)
    member(engine, "u-1", shop="tea-house")
    member(engine, "u-2")
    member(engine, "u-3", shop="book-nook")
    paid_order(platform, "u-1", [("T-TEA", 1)], "r-k1")
    paid_order(platform, "u-2", [("T-TEA", 1), ("B-BOOK", 1)], "r-k2")
    whole = paid_order(platform, "u-3", [("B-BOOK", 1)], "r-k3")
    platform.outbox().deliver(NOW)
    platform.orders.refund(whole.id, "B-BOOK", 1, "back", NOW + timedelta(hours=1), "rf-b")
    platform.outbox().deliver(NOW)
    platform.rebates.settle("launch-rebates", "tea-house", NOW + timedelta(days=30))


def _reversed_keys(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        keys = connection.scalars(select(rebates.c.key).where(rebates.c.status == "reversed"))
        return {f"rebate:{k}{tail}" for k in keys for tail in ("", ":reversed")}


def _sums(journal: dict[str, Any]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for _, _, _, postings in journal.values():
        for account, campaign, amount, _ in postings:
            found[(account, campaign)] = found.get((account, campaign), 0) + amount
    return {k: n for k, n in found.items() if n}


def test_the_backfill_posts_what_the_code_posted_for_orders_refunds_and_rebates(engine):
    # given: a database with paid orders, refunds and rebates, and the journal the code kept
    _campaign_orders(engine)
    _rebates_accrued(engine)
    posted = _journal(engine)
    kinds = {kind for kind, *_ in posted.values()}
    assert kinds == {"order_paid", "refund", "rebate"}

    # when: the journal is forgotten and the migration backfills it
    _backfill_again(engine)

    # then: every entry comes back as it was, but a reversed rebate's pair (net nothing)
    backfilled = _journal(engine)
    reversed_keys = _reversed_keys(engine)
    assert reversed_keys
    assert backfilled == {k: v for k, v in posted.items() if k not in reversed_keys}
    assert _sums(backfilled) == _sums(posted)
    assert sum(_sums(backfilled).values()) == 0
    assert bootstrap(engine).ledger.trial_balance() == 0


def test_the_backfill_leaves_entries_posted_already_and_runs_twice_as_once(engine):
    _campaign_orders(engine)
    posted = _journal(engine)
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    command.stamp(config, "0032_journal")  # nothing forgotten: every key is there
    command.upgrade(config, "0033_journal_backfill")
    command.stamp(config, "head")

    assert _journal(engine) == posted
