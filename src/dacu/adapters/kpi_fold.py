"""A batch of events folded into the rollups in set-based SQL (PostgreSQL).

The batch is copied (COPY) into a temporary table, then a few statements do
what the fold in Python does, each over the whole batch, in the caller's
transaction:

1. the events new to the store go in (`ON CONFLICT DO NOTHING`) and the ones stored
   before are deleted from the batch: only the rest counts, so a batch folded twice
   adds nothing the second time;
2. each person's earliest event per distinct scope (`DISTINCT ON`) goes into
   `kpi_seen` where new, counted per cell; the keys stored before (none, when every
   person is new) are looked up by primary key, and where the batch's event is
   earlier than the stored one, that row is locked, re-checked and moved (old cell
   −1, new cell +1);
3. payments per buyer are added to `kpi_buyers`, and the payment that makes one a
   repeat buyer counts in its cell;
4. the hourly and SKU counters are added in one `INSERT … SELECT … GROUP BY … ON
   CONFLICT DO UPDATE` each, onto the rows of one shard: the first of `SHARDS`
   whose transaction lock is free, so concurrent writers never queue on a row.

Every statement touches rows in key order, so concurrent batches wait, never
deadlock. The commit stays synchronous: the writer marks its stream entries done
right after it, so a commit lost in a crash (what `synchronous_commit = off` risks)
would lose those events for good; it is 1–2% of a transaction's time anyway.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dacu.adapters.kpi_rebuild import MONEY
from dacu.adapters.kpi_scopes import REPEAT_BUYERS, SCOPES, counter_sql, scope_sql
from dacu.adapters.sql import copy_rows
from dacu.domain.events import Event
from dacu.domain.kpis import COUNTED_AS, COUNTERS, DISTINCT, HOURLY_UV

SHARDS = 8
LOCK_SPACE = 7040105  # the first key of the shards' transaction locks
_COLUMNS = (
    "id, campaign_id, kind, customer_id, channel, segment, at, sku, order_id, coupon, "
    "amount, platform_funded, merchant_funded, lines, received_at"
)
_TEMP = """
CREATE TEMPORARY TABLE IF NOT EXISTS kpi_fold_batch
  (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
CREATE TEMPORARY TABLE IF NOT EXISTS kpi_fold_firsts
  (campaign_id varchar COLLATE "C", scope integer, customer_id varchar COLLATE "C",
   at timestamptz, channel varchar, segment varchar) ON COMMIT DELETE ROWS;
CREATE TEMPORARY TABLE IF NOT EXISTS kpi_fold_counted
  (campaign_id varchar, scope integer, customer_id varchar, at timestamptz,
   channel varchar, segment varchar, n int) ON COMMIT DELETE ROWS;
"""
# The batch's rows already stored are dropped from it: the rest is what counts.
_FRESH = f"""
WITH made AS (
  INSERT INTO events ({_COLUMNS})
  SELECT {_COLUMNS} FROM kpi_fold_batch ORDER BY id, at
  ON CONFLICT DO NOTHING RETURNING campaign_id, id, at
)
DELETE FROM kpi_fold_batch AS b WHERE NOT EXISTS (
  SELECT FROM made WHERE made.id = b.id AND made.at = b.at AND made.campaign_id = b.campaign_id)
RETURNING b.campaign_id, b.id"""
_KEY = "campaign_id, scope, customer_id"  # byte-wise, as `kpi_seen`'s primary key
# Each person's earliest event per scope (a code of `kpi_scopes`): counted where new;
# kept aside where a row was stored before (it may have to move); returns how many were
# kept aside.
_SEEN_NEW = f"""
WITH firsts AS (
  SELECT DISTINCT ON ({_KEY}) campaign_id, scope, customer_id, at, channel, segment
  FROM (
    SELECT e.campaign_id COLLATE "C" AS campaign_id, e.customer_id COLLATE "C" AS customer_id,
           e.at, e.id, e.channel, e.segment, {scope_sql("s.code", "e.at")} AS scope
    FROM kpi_fold_batch e JOIN (VALUES {SCOPES}) AS s(kind, code) ON s.kind = e.kind
  ) AS scoped
  ORDER BY {_KEY}, at, id COLLATE "C"
), made AS (
  INSERT INTO kpi_seen (campaign_id, scope, customer_id, at, channel, segment)
  SELECT * FROM firsts  -- read in the order it was made: by key
  ON CONFLICT DO NOTHING RETURNING *
), counted AS (
  INSERT INTO kpi_fold_counted (campaign_id, scope, at, channel, segment, n)
  SELECT campaign_id, scope, date_trunc('hour', at, 'UTC'), channel, segment, count(*)
  FROM made GROUP BY 1, 2, 3, 4, 5
), known AS (
  INSERT INTO kpi_fold_firsts SELECT * FROM firsts AS f WHERE NOT EXISTS (
    SELECT FROM made AS m WHERE m.campaign_id = f.campaign_id AND m.scope = f.scope
      AND m.customer_id = f.customer_id)
  RETURNING 1
)
SELECT count(*) FROM known"""
# Only the keys stored before are probed, each through the primary key (a nested loop):
# a few thousand a batch against the millions stored, never a scan of the table.
_PROBE_BY_KEY = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
_PROBE_RESET = "SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT"
_SEEN_MOVED = """
WITH later AS (
  SELECT s.campaign_id, s.scope, s.customer_id, s.at, s.channel, s.segment,
         f.at AS to_at, f.channel AS to_channel, f.segment AS to_segment
  FROM kpi_fold_firsts AS f JOIN kpi_seen AS s
    ON s.campaign_id = f.campaign_id AND s.scope = f.scope AND s.customer_id = f.customer_id
  WHERE f.at < s.at
  ORDER BY s.campaign_id, s.scope, s.customer_id
  FOR UPDATE OF s
), moved AS (
  UPDATE kpi_seen AS k SET at = later.to_at, channel = later.to_channel,
                           segment = later.to_segment
  FROM later
  WHERE k.campaign_id = later.campaign_id AND k.scope = later.scope
    AND k.customer_id = later.customer_id
  RETURNING later.*
)
INSERT INTO kpi_fold_counted
SELECT campaign_id, scope, customer_id, at, channel, segment, -1 FROM moved
UNION ALL
SELECT campaign_id, scope, customer_id, to_at, to_channel, to_segment, 1 FROM moved"""
_BUYERS = f"""
WITH paid AS (
  SELECT campaign_id, customer_id, count(*) AS n FROM kpi_fold_batch
  WHERE kind = 'payment' GROUP BY campaign_id, customer_id
), totals AS (
  INSERT INTO kpi_buyers (campaign_id, customer_id, payments)
  SELECT campaign_id, customer_id, n FROM paid ORDER BY campaign_id, customer_id
  ON CONFLICT (campaign_id, customer_id)
  DO UPDATE SET payments = kpi_buyers.payments + excluded.payments
  RETURNING campaign_id, customer_id, payments
), second AS (
  SELECT t.campaign_id, t.customer_id, 2 - (t.payments - p.n) AS nth
  FROM totals AS t JOIN paid AS p
    ON p.campaign_id = t.campaign_id AND p.customer_id = t.customer_id
  WHERE t.payments - p.n < 2 AND t.payments >= 2
)
INSERT INTO kpi_fold_counted
SELECT e.campaign_id, {REPEAT_BUYERS}, e.customer_id, e.at, e.channel, e.segment, 1
FROM (
  SELECT campaign_id, customer_id, at, channel, segment,
         row_number() OVER (PARTITION BY campaign_id, customer_id ORDER BY at, id) AS nth
  FROM kpi_fold_batch WHERE kind = 'payment'
) AS e JOIN second AS s
  ON s.campaign_id = e.campaign_id AND s.customer_id = e.customer_id AND s.nth = e.nth"""
_SHARD = f"""
SELECT n FROM generate_series(0, {SHARDS - 1}) AS n
WHERE pg_try_advisory_xact_lock({LOCK_SPACE}, n) LIMIT 1"""
_CELL = "campaign_id, date_trunc('hour', at, 'UTC'), channel, segment"


def _hourly() -> str:
    counted = [*DISTINCT, HOURLY_UV, "repeat_buyers"]
    direct = [name for name in COUNTERS if name not in counted]
    by_kind = {name: f"count(*) FILTER (WHERE kind = '{kind.value}')" for kind, name in
               COUNTED_AS.items()}  # fmt: skip
    sources = {"events": "count(*)", **by_kind, **MONEY}
    from_events = ", ".join([*(f"coalesce({sources[n]}, 0)" for n in direct),
                             *("0" for _ in counted)])  # fmt: skip
    from_counted = ", ".join([*("0" for _ in direct), *(
        f"coalesce(sum(n) FILTER (WHERE {counter_sql('scope', n)}), 0)"
        for n in counted)])  # fmt: skip
    names = [*direct, *counted]
    sums = ", ".join(f"CAST(sum(x{i}) AS bigint)" for i in range(len(names)))
    aliases = ", ".join(f"x{i}" for i in range(len(names)))
    adds = ", ".join(f"{n} = kpi_hourly.{n} + excluded.{n}" for n in names)
    return f"""
INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, shard, {", ".join(names)})
SELECT c, h, ch, sg, :shard, {sums} FROM (
  SELECT {_CELL}, {from_events} FROM kpi_fold_batch GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT {_CELL}, {from_counted} FROM kpi_fold_counted GROUP BY 1, 2, 3, 4
) AS adds (c, h, ch, sg, {aliases})
GROUP BY c, h, ch, sg ORDER BY c, h, ch, sg
ON CONFLICT (campaign_id, hour, channel, segment, shard) DO UPDATE SET {adds}"""


_SKUS = """
INSERT INTO kpi_skus (campaign_id, sku, shard, views, carts, units, gmv)
SELECT campaign_id, sku, :shard, sum(views), sum(carts), sum(units), sum(gmv) FROM (
  SELECT campaign_id, sku, count(*) FILTER (WHERE kind = 'sku_view') AS views,
         count(*) FILTER (WHERE kind = 'add_to_cart') AS carts, 0 AS units, 0 AS gmv
  FROM kpi_fold_batch WHERE kind IN ('sku_view', 'add_to_cart') AND sku <> ''
  GROUP BY campaign_id, sku
  UNION ALL
  SELECT campaign_id, line->>0, 0, 0, sum(CAST(line->>1 AS bigint)),
         sum(CAST(line->>2 AS bigint))
  FROM kpi_fold_batch CROSS JOIN LATERAL json_array_elements(lines) AS line
  WHERE kind = 'payment' AND lines IS NOT NULL
  GROUP BY 1, 2
) AS found GROUP BY campaign_id, sku ORDER BY campaign_id, sku
ON CONFLICT (campaign_id, sku, shard) DO UPDATE SET
  views = kpi_skus.views + excluded.views, carts = kpi_skus.carts + excluded.carts,
  units = kpi_skus.units + excluded.units, gmv = kpi_skus.gmv + excluded.gmv"""
_HOURLY = _hourly()


def record(connection: Connection, batch: Sequence[Event], now: datetime) -> list[Event]:
    """Store the events of `batch` not stored yet and fold them into the rollups, in the
    caller's transaction; returns those events."""
    by_key = {(event.campaign_id, event.id): event for event in batch}
    _temporary_tables(connection)
    _copy(connection, by_key.values(), now)
    stored = {(row[0], row[1]) for row in connection.execute(text(_FRESH))}
    if len(stored) == len(by_key):
        return []
    if connection.execute(text(_SEEN_NEW)).scalar():
        connection.exec_driver_sql(_PROBE_BY_KEY)
        connection.execute(text(_SEEN_MOVED))
        connection.exec_driver_sql(_PROBE_RESET)
    if any(event.kind.value == "payment" for event in by_key.values()):
        connection.execute(text(_BUYERS))
    found = connection.execute(text(_SHARD)).scalar()
    shard = 0 if found is None else int(found)  # every shard held: queue on the first
    connection.execute(text(_HOURLY), {"shard": shard})
    connection.execute(text(_SKUS), {"shard": shard})
    return [e for e in batch if (key := (e.campaign_id, e.id)) not in stored and by_key[key] is e]


def _temporary_tables(connection: Connection) -> None:
    """The fold's temporary tables, made the first time a database connection needs them
    (emptied at every commit)."""
    connection.exec_driver_sql(_TEMP)


def _copy(connection: Connection, batch: Any, now: datetime) -> None:
    copy_rows(connection, "kpi_fold_batch", _COLUMNS, (_batch_row(e, now) for e in batch))


def _batch_row(event: Event, now: datetime) -> tuple[Any, ...]:
    lines = [[line.sku, line.qty, line.amount] for line in event.lines]
    return (event.id, event.campaign_id, event.kind.value, event.customer_id,
            event.channel.value, event.segment.value, event.at, event.sku, event.order_id,
            event.coupon, event.amount, event.platform_funded, event.merchant_funded,
            json.dumps(lines) if lines else None, now)  # fmt: skip
