"""A campaign's rollups rebuilt from its stored events in set-based SQL (PostgreSQL), in
one transaction — the same figures the fold gives event by event.

The events are read four times, each a scan PostgreSQL may share among its parallel
workers (`CREATE TEMPORARY TABLE … AS`: an `INSERT … SELECT` is never parallel):

1. counters per cell (hour, channel, segment): counts and money summed per cell and
   kind first (four sums a row), then spread over the counters;
2. SKUs: views and carts counted, units and GMV from the payments' lines;
3. firsts: one sort of the events by person, kind (and hour, for views), time and
   id keeps each group's first event.
   Who counts where (`kpi_seen`: each person's earliest event in every distinct
   scope, the hourly-UV scope included) is the earliest of a person's firsts over
   the kinds of the scope: a sort of a few rows per person, not of every event in
   every scope. Rows go in by person, so each scope's index pages are written in
   order; when the campaign's firsts are half the table or more, its primary key is
   dropped and built again once the rows are in (the table emptied outright when no
   other campaign has rows in it), `kpi_seen` locked meanwhile.
4. payments by buyer (a window): payments per buyer, and repeat buyers in the cell
   of each one's second payment.

Sorts are byte-wise (COLLATE "C": abbreviated keys, several times faster than a
locale's rules). The old rows are deleted and the new ones written in the same
transaction, so a dashboard reads either the old figures or the rebuilt ones, never
half. `events` is locked first (SHARE: reads go on, inserts wait): a fold already
running finishes before the rebuild reads anything, and one that starts meanwhile
waits for the commit and folds its events onto the rebuilt rollups — none is lost,
none counted twice.
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dacu.adapters.kpi_scopes import SCOPES, counter_sql, scope_sql
from dacu.domain.events import VIEWS
from dacu.domain.kpis import COUNTED_AS, DISTINCT, HOURLY_UV

_HOUR = "date_trunc('hour', at, 'UTC')"
_CELL = f"{_HOUR}, channel, segment"
_KEY = "(campaign_id, hour, channel, segment, shard)"
_VIEWS = ", ".join(f"'{kind.value}'" for kind in sorted(VIEWS))
MONEY = {
    "ordered": "sum(amount) FILTER (WHERE kind = 'order')",
    "gmv": "sum(amount) FILTER (WHERE kind = 'payment')",
    "refunded": "sum(amount) FILTER (WHERE kind = 'refund')",
    "platform_spend": "sum(CASE kind WHEN 'payment' THEN platform_funded "
    "WHEN 'refund' THEN -platform_funded ELSE 0 END)",
    "merchant_spend": "sum(CASE kind WHEN 'payment' THEN merchant_funded "
    "WHEN 'refund' THEN -merchant_funded ELSE 0 END)",
}
_SETTINGS = (
    "SET LOCAL work_mem = '1GB'",  # the sorts and sums in memory
    "SET LOCAL hash_mem_multiplier = 2",
    "SET LOCAL jit = off",  # compiling costs more than it saves on these plans
    "SET LOCAL synchronous_commit = off",  # a lost rebuild is run again
    "SET LOCAL max_parallel_workers_per_gather = 2",
    "SET LOCAL parallel_setup_cost = 100",
    "SET LOCAL min_parallel_table_scan_size = '1MB'",
    "SET LOCAL maintenance_work_mem = '2GB'",  # an index built again: its rows in memory
)
_LOCK = "LOCK TABLE events IN SHARE MODE"
_TABLES = ("kpi_hourly", "kpi_skus", "kpi_buyers")  # kpi_seen: once its load is chosen
_DELETE = "DELETE FROM {} WHERE campaign_id = :c"
_OTHERS = """SELECT EXISTS (SELECT FROM kpi_seen WHERE campaign_id < :c)
                 OR EXISTS (SELECT FROM kpi_seen WHERE campaign_id > :c)"""
BULK_SHARE = 2  # `kpi_seen` loaded in bulk when the campaign's firsts are half of it or more


def _per_kind() -> str:
    return (
        "CREATE TEMPORARY TABLE kpi_rebuild_kinds ON COMMIT DROP AS "
        f"SELECT {_HOUR} AS hour, channel, segment, kind, count(*) AS n,"
        " sum(amount) AS amount, sum(platform_funded) AS platform_funded,"
        " sum(merchant_funded) AS merchant_funded"
        " FROM events WHERE campaign_id = :c GROUP BY 1, 2, 3, 4"
    )


def _counters() -> str:
    """The counters spread from the sums per cell and kind (a few thousand rows)."""
    counted = [f"coalesce(sum(n) FILTER (WHERE kind = '{k.value}'), 0)" for k in COUNTED_AS]
    names = ["events", *COUNTED_AS.values(), *MONEY]
    values = ["sum(n)", *counted, *(f"coalesce({sql}, 0)" for sql in MONEY.values())]
    return (
        f"INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, {', '.join(names)}) "
        f"SELECT CAST(:c AS varchar), hour, channel, segment, {', '.join(values)} "
        "FROM kpi_rebuild_kinds GROUP BY 2, 3, 4 ORDER BY 2, 3, 4"
    )


_PER_SKU = """
CREATE TEMPORARY TABLE kpi_rebuild_skus ON COMMIT DROP AS
SELECT sku, count(*) FILTER (WHERE kind = 'sku_view') AS views,
       count(*) FILTER (WHERE kind = 'add_to_cart') AS carts, 0 AS units, 0 AS gmv
FROM events WHERE campaign_id = :c AND kind IN ('sku_view', 'add_to_cart') AND sku <> ''
GROUP BY sku
UNION ALL
SELECT line->>0, 0, 0, sum(CAST(line->>1 AS bigint)), sum(CAST(line->>2 AS bigint))
FROM events CROSS JOIN LATERAL json_array_elements(lines) AS line
WHERE campaign_id = :c AND kind = 'payment' AND lines IS NOT NULL
GROUP BY 1"""
_SKUS = """
INSERT INTO kpi_skus (campaign_id, sku, views, carts, units, gmv)
SELECT CAST(:c AS varchar), sku, sum(views), sum(carts), sum(units), sum(gmv)
FROM kpi_rebuild_skus GROUP BY sku ORDER BY sku"""

_FIRSTS = f"""
CREATE TEMPORARY TABLE kpi_rebuild_firsts ON COMMIT DROP AS
SELECT DISTINCT ON (customer_id, kind, hour) customer_id, kind, at, id, channel, segment
FROM (
  SELECT customer_id COLLATE "C" AS customer_id, kind COLLATE "C" AS kind,
         CASE WHEN kind IN ({_VIEWS}) THEN {_HOUR} END AS hour, at, id, channel, segment
  FROM events WHERE campaign_id = :c
) AS e
ORDER BY customer_id, kind, hour, at, id COLLATE "C"
"""
_PAYMENTS = """
CREATE TEMPORARY TABLE kpi_rebuild_payments ON COMMIT DROP AS
SELECT customer_id, at, channel, segment, nth, n FROM (
  SELECT customer_id, at, channel, segment,
         row_number() OVER (per_buyer ORDER BY at, id COLLATE "C") AS nth,
         count(*) OVER per_buyer AS n
  FROM events WHERE campaign_id = :c AND kind = 'payment'
  WINDOW per_buyer AS (PARTITION BY customer_id COLLATE "C")
) AS paid WHERE nth <= 2"""


def _seen() -> str:
    """`kpi_seen` from the firsts, person by person (each scope's index pages are then
    written in order), and the distinct counters counted from what went in."""
    names = [*DISTINCT, HOURLY_UV]
    counts = [f"count(*) FILTER (WHERE {counter_sql('scope', n)})" for n in names]
    sets = ", ".join(f"{n} = excluded.{n}" for n in names)
    return f"""
WITH seen AS (
  INSERT INTO kpi_seen (campaign_id, scope, customer_id, at, channel, segment)
  SELECT DISTINCT ON (customer_id, scope)
         CAST(:c AS varchar), scope, customer_id, at, channel, segment
  FROM (
    SELECT {scope_sql("s.code", "f.at")} AS scope,
           f.customer_id, f.at, f.id, f.channel, f.segment
    FROM kpi_rebuild_firsts f JOIN (VALUES {SCOPES}) AS s(kind, code) ON s.kind = f.kind
  ) AS scoped
  ORDER BY customer_id, scope, at, id COLLATE "C"
  RETURNING scope, at, channel, segment
)
INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, {", ".join(names)})
SELECT CAST(:c AS varchar), {_CELL}, {", ".join(counts)}
FROM seen GROUP BY 2, 3, 4 ORDER BY 2, 3, 4
ON CONFLICT {_KEY} DO UPDATE SET {sets}"""


_BUYERS = """
INSERT INTO kpi_buyers (campaign_id, customer_id, payments)
SELECT CAST(:c AS varchar), customer_id, n FROM kpi_rebuild_payments WHERE nth = 1"""
_REPEAT_BUYERS = f"""
INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, repeat_buyers)
SELECT CAST(:c AS varchar), {_CELL}, count(*) FROM kpi_rebuild_payments
WHERE nth = 2 GROUP BY 2, 3, 4 ORDER BY 2, 3, 4
ON CONFLICT {_KEY} DO UPDATE SET repeat_buyers = excluded.repeat_buyers"""
_STATEMENTS = {
    "per_kind": _per_kind(),
    "counters": _counters(),
    "per_sku": _PER_SKU,
    "skus": _SKUS,
    "seen": _seen(),
    "payments": _PAYMENTS,
    "buyers": _BUYERS,
    "repeat_buyers": _REPEAT_BUYERS,
}
_PRIMARY_KEY = "pk_kpi_seen"
STEPS = ("delete", "per_kind", "counters", "per_sku", "skus", "firsts", "seen", "payments",
         "buyers", "repeat_buyers")  # fmt: skip


def rebuild(connection: Connection, campaign_id: str) -> int:
    """Replace the campaign's rollups with what its stored events add up to; returns how
    many events that is. Runs in the caller's transaction."""
    for setting in (_LOCK, *_SETTINGS):
        connection.execute(text(setting))
    bulk = False
    for name in STEPS:
        bulk = step(connection, name, campaign_id, bulk)
    found = connection.execute(
        text("SELECT coalesce(sum(events), 0) FROM kpi_hourly WHERE campaign_id = :c"),
        {"c": campaign_id},
    )
    return int(found.scalar_one())


def step(connection: Connection, name: str, campaign_id: str, bulk: bool) -> bool:
    """One step of the rebuild; returns whether `kpi_seen` is being loaded in bulk."""
    c = {"c": campaign_id}
    if name == "delete":
        for table in _TABLES:
            connection.execute(text(_DELETE.format(table)), c)
    elif name == "firsts":
        firsts = connection.execute(text(_FIRSTS), c).rowcount
        bulk = _in_bulk(connection, firsts)
        alone = not connection.execute(text(_OTHERS), c).scalar_one()
        if bulk:  # the campaign is most of the table: its index is built again after
            connection.execute(text(f"ALTER TABLE kpi_seen DROP CONSTRAINT {_PRIMARY_KEY}"))
        if bulk and alone:  # nothing else to keep: no dead rows for the index to read
            connection.execute(text("TRUNCATE kpi_seen"))
        else:
            connection.execute(text(_DELETE.format("kpi_seen")), c)
    elif name == "seen" and bulk:
        connection.execute(text(_STATEMENTS[name]), c)
        connection.execute(
            text(
                f"ALTER TABLE kpi_seen ADD CONSTRAINT {_PRIMARY_KEY} "
                "PRIMARY KEY (campaign_id, scope, customer_id)"
            )
        )
    else:
        connection.execute(text(_STATEMENTS[name]), c)
    return bulk


def _in_bulk(connection: Connection, firsts: int) -> bool:
    """Whether the campaign's firsts (fewer than its `kpi_seen` rows) are at least half
    the rows `kpi_seen` holds by the planner's estimate: then building its index again
    once the rows are in costs less than adding each row to it."""
    held = connection.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = CAST('kpi_seen' AS regclass)")
    ).scalar_one()
    return firsts * BULK_SHARE >= float(held)
