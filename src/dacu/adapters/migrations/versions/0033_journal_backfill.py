"""The double-entry ledger backfilled: orders paid, refunds and merchant rebates
accrued before 0032 get the entries the code posts now, under the same keys, so
a database upgraded mid-campaign holds a complete, balanced ledger.

- each paid order with discounts (its `ledger` rows without a refund):
  `order:<id>:paid`, kind order_paid; each refund with clawbacks:
  `order:<id>:refund:<refund_id>`, kind refund (`domain/funding_entries.py`);
  a share's platform part debits `platform:subsidy_expense` and credits
  `merchant:<shop>:subsidy`, its merchant part debits
  `merchant:<shop>:funded_discounts` and credits `platform:customer_discounts`,
  each on the campaign budget that funded it (`ledger.budget`);
- each rebate accrued or settled: `rebate:<key>`, kind rebate, debit
  `platform:rebate_expense`, credit `merchant:<shop>:rebate`
  (`domain/rebate_entries.py`). A rebate reversed before the upgrade nets to
  nothing and posts nothing (whether it was owed before, or only held, the
  table does not keep).

A key posted already (by the code, after 0032) is left as it is. The rules are
copied here, not imported, so this migration keeps meaning what it meant.

Revision ID: 0033_journal_backfill
Revises: 0032_journal
"""

from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0033_journal_backfill"
down_revision = "0032_journal"
branch_labels = None
depends_on = None

BATCH = 500

_at = sa.DateTime(timezone=True)
_entries = sa.table(
    "journal_entries",
    sa.column("id", sa.BigInteger),
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
    sa.column("at", _at),
    sa.column("refs", sa.JSON),
    sa.column("memo", sa.String),
)
_postings = sa.table(
    "journal_postings",
    sa.column("entry_id", sa.BigInteger),
    sa.column("account", sa.String),
    sa.column("campaign_id", sa.String),
    sa.column("amount", sa.BigInteger),
    sa.column("at", _at),
)
_funding = sa.table(
    "ledger",
    sa.column("id", sa.BigInteger),
    sa.column("order_id", sa.String),
    sa.column("refund_id", sa.String),
    sa.column("shop", sa.String),
    sa.column("platform", sa.BigInteger),
    sa.column("merchant", sa.BigInteger),
    sa.column("at", _at),
    sa.column("budget", sa.String),
)
_rebates = sa.table(
    "rebates",
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
    sa.column("shop", sa.String),
    sa.column("campaign_id", sa.String),
    sa.column("customer_id", sa.String),
    sa.column("order_id", sa.String),
    sa.column("amount", sa.BigInteger),
    sa.column("status", sa.String),
    sa.column("at", _at),
)

# (key, kind, at, refs, [(account, campaign, amount)])
Entry = tuple[str, str, Any, dict[str, str], list[tuple[str, str, int]]]


def _compact(postings: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for account, campaign, amount in postings:
        sums[(account, campaign)] += amount
    return [(a, c, n) for (a, c), n in sorted(sums.items()) if n]


def _streamed(connection: sa.Connection, query: Any) -> Any:
    """Rows a few thousand at a time (a server-side cursor on PostgreSQL), not all at once."""
    return connection.execute(query.execution_options(stream_results=True, yield_per=2000))


def _funding_entries(connection: sa.Connection) -> Iterator[Entry]:
    f = _funding.c
    rows = _streamed(connection, sa.select(_funding).order_by(f.order_id, f.refund_id, f.id))
    for (order_id, refund_id), group in groupby(rows, key=lambda r: (r.order_id, r.refund_id)):
        shares = list(group)
        postings: list[tuple[str, str, int]] = []
        for share in shares:
            campaign, shop = share.budget or "", share.shop
            postings += [
                ("platform:subsidy_expense", campaign, int(share.platform)),
                (f"merchant:{shop}:subsidy", campaign, -int(share.platform)),
                (f"merchant:{shop}:funded_discounts", campaign, int(share.merchant)),
                ("platform:customer_discounts", campaign, -int(share.merchant)),
            ]
        compacted = _compact(postings)
        if not compacted:
            continue
        at = min(share.at for share in shares)
        if refund_id is None:
            yield f"order:{order_id}:paid", "order_paid", at, {"order_id": order_id}, compacted
        else:
            refs = {"order_id": order_id, "refund_id": refund_id, "shop": shares[0].shop}
            key = f"order:{order_id}:refund:{refund_id}"
            yield key, "refund", at, refs, compacted


def _rebate_entries(connection: sa.Connection) -> Iterator[Entry]:
    r = _rebates.c
    owed = _streamed(
        connection,
        sa.select(_rebates).where(r.status.in_(["accrued", "settled"])).order_by(r.at, r.key),
    )
    for row in owed:
        amount, campaign = int(row.amount), row.campaign_id
        postings = [
            ("platform:rebate_expense", campaign, amount),
            (f"merchant:{row.shop}:rebate", campaign, -amount),
        ]
        refs = {
            "order_id": row.order_id,
            "shop": row.shop,
            "rebate": row.key,
            "customer_id": row.customer_id,
        }
        yield f"rebate:{row.key}", "rebate", row.at, refs, postings


def _post(connection: sa.Connection, batch: list[Entry]) -> None:
    keys = [entry[0] for entry in batch]
    e = _entries.c
    done = set(connection.scalars(sa.select(e.key).where(e.key.in_(keys))))
    fresh = [entry for entry in batch if entry[0] not in done]
    if not fresh:
        return
    connection.execute(
        _entries.insert(),
        [{"key": k, "kind": kind, "at": at, "refs": refs, "memo": ""}
         for k, kind, at, refs, _ in fresh],
    )  # fmt: skip
    ids = dict(connection.execute(sa.select(e.key, e.id).where(e.key.in_(keys))).all())
    connection.execute(
        _postings.insert(),
        [
            {"entry_id": ids[k], "account": a, "campaign_id": c, "amount": n, "at": at}
            for k, _, at, _, postings in fresh
            for a, c, n in postings
        ],
    )


def upgrade() -> None:
    connection = op.get_bind()  # read in batches while writing: one transaction
    for entries in (_funding_entries(connection), _rebate_entries(connection)):
        batch: list[Entry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) == BATCH:
                _post(connection, batch)
                batch = []
        if batch:
            _post(connection, batch)


def downgrade() -> None:
    """Nothing to undo that 0032's downgrade does not: the entries stay, as the code
    would have posted them."""
