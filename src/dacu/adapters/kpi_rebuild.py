"""A campaign's rollups rebuilt from its stored events in four set-based statements
(PostgreSQL), in one transaction — the same figures the fold gives event by event:

1. counters per cell (hour, channel, segment): counts and money summed per cell and
   kind (four sums a row), then spread over the counters;
2. who counts where (`kpi_seen`): each person's earliest event (by time, then id) in
   every distinct scope, the hourly-UV scope included — sorted byte-wise (COLLATE
   "C", the person first: abbreviated keys that tell rows apart) — and, from the rows
   as they go in, the distinct counters per cell;
3. payments per buyer, and repeat buyers in the cell of each one's second payment, from
   one window pass over the payments;
4. SKUs: views, carts, units and GMV in one scan.
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dacu.domain.events import VIEWS, EventKind
from dacu.domain.kpis import COUNTED_AS, DISTINCT, HOURLY_UV

_HOUR = "date_trunc('hour', at, 'UTC')"
_CELL = f"{_HOUR}, channel, segment"
_KEY = "(campaign_id, hour, channel, segment, shard)"
MONEY = {
    "ordered": "sum(amount) FILTER (WHERE kind = 'order')",
    "gmv": "sum(amount) FILTER (WHERE kind = 'payment')",
    "refunded": "sum(amount) FILTER (WHERE kind = 'refund')",
    "platform_spend": "sum(CASE kind WHEN 'payment' THEN platform_funded "
    "WHEN 'refund' THEN -platform_funded ELSE 0 END)",
    "merchant_spend": "sum(CASE kind WHEN 'payment' THEN merchant_funded "
    "WHEN 'refund' THEN -merchant_funded ELSE 0 END)",
}
SCOPES = ", ".join(
    f"('{kind.value}', '{scope}')" for scope, kinds in DISTINCT.items() for kind in sorted(kinds)
) + "".join(f", ('{kind.value}', '{HOURLY_UV}')" for kind in sorted(VIEWS))


def _counters() -> str:
    """Counts and money per cell: summed per cell and kind first (four sums a row), then
    spread over the counters (a few thousand rows)."""
    counted = [f"coalesce(sum(n) FILTER (WHERE kind = '{k.value}'), 0)" for k in COUNTED_AS]
    names = ["events", *COUNTED_AS.values(), *MONEY]
    values = ["sum(n)", *counted, *(f"coalesce({sql}, 0)" for sql in MONEY.values())]
    return (
        f"INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, {', '.join(names)}) "
        f"SELECT CAST(:c AS varchar), hour, channel, segment, {', '.join(values)} FROM ("
        f"  SELECT {_HOUR} AS hour, channel, segment, kind, count(*) AS n, sum(amount) AS amount,"
        "   sum(platform_funded) AS platform_funded, sum(merchant_funded) AS merchant_funded"
        "  FROM events WHERE campaign_id = :c GROUP BY 1, 2, 3, 4"
        ") AS per_kind GROUP BY 2, 3, 4"
    )


def _kinds(kinds: frozenset[EventKind]) -> str:
    return "kind IN (" + ", ".join(f"'{kind.value}'" for kind in sorted(kinds)) + ")"


def _people() -> str:
    """Who counts where (`kpi_seen`), payments per buyer (`kpi_buyers`), and the distinct
    and repeat-buyer counters per cell, from one sort of the events by person and time:
    running counts per scope mark each person's first event in it (the second payment
    marks a repeat buyer), and the view before a view says whether it opens an hour."""
    scopes = list(DISTINCT)
    running = ",\n    ".join(
        f"count(*) FILTER (WHERE {_kinds(DISTINCT[scope])}) OVER later AS n_{scope}"
        for scope in scopes
    )
    firsts = ",\n      ".join(
        [f"('{scope}', {_kinds(DISTINCT[scope])} AND n_{scope} = 1)" for scope in scopes]
        + [
            f"('{HOURLY_UV}:' || to_char(at AT TIME ZONE 'UTC', 'YYYYMMDDHH24'), {_kinds(VIEWS)}"
            f" AND (last_view IS NULL OR {_HOUR} <> date_trunc('hour', last_view, 'UTC')))"
        ]
    )
    names = [*DISTINCT, HOURLY_UV, "repeat_buyers"]
    counts = [f"coalesce(sum(n) FILTER (WHERE counter = '{n}'), 0)" for n in names]
    sets = ", ".join(f"{n} = excluded.{n}" for n in names)
    return f"""
WITH ranked AS (
  SELECT customer_id, kind, at, channel, segment,
    {running},
    max(at) FILTER (WHERE {_kinds(VIEWS)}) OVER before AS last_view,
    count(*) FILTER (WHERE kind = 'payment') OVER person AS payments
  FROM events WHERE campaign_id = :c
  WINDOW person AS (PARTITION BY customer_id COLLATE "C"),
         later AS (person ORDER BY at, id COLLATE "C" ROWS UNBOUNDED PRECEDING),
         before AS (person ORDER BY at, id COLLATE "C"
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), kept AS (
  SELECT customer_id, kind, at, channel, segment, n_payers, payments, scope
  FROM ranked CROSS JOIN LATERAL (VALUES
      {firsts},
      (NULL, kind = 'payment' AND n_payers = 2)
  ) AS s(scope, first) WHERE first
), seen AS (
  INSERT INTO kpi_seen (campaign_id, scope, customer_id, at, channel, segment)
  SELECT CAST(:c AS varchar), scope, customer_id, at, channel, segment
  FROM kept WHERE scope IS NOT NULL
  RETURNING scope, at, channel, segment
), buyers AS (
  INSERT INTO kpi_buyers (campaign_id, customer_id, payments)
  SELECT CAST(:c AS varchar), customer_id, payments FROM kept WHERE scope = 'payers'
)
INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, {", ".join(names)})
SELECT CAST(:c AS varchar), hour, channel, segment, {", ".join(counts)} FROM (
  SELECT {_HOUR} AS hour, channel, segment, split_part(scope, ':', 1) AS counter, count(*) AS n
  FROM seen GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT {_HOUR}, channel, segment, 'repeat_buyers', count(*)
  FROM kept WHERE scope IS NULL GROUP BY 1, 2, 3
) AS per_scope GROUP BY 2, 3, 4
ON CONFLICT {_KEY} DO UPDATE SET {sets}"""


_SKUS = """
INSERT INTO kpi_skus (campaign_id, sku, views, carts, units, gmv)
SELECT CAST(:c AS varchar), sku, sum(views), sum(carts), sum(units), sum(gmv) FROM (
  SELECT coalesce(line->>0, sku) AS sku,
         count(*) FILTER (WHERE kind = 'sku_view') AS views,
         count(*) FILTER (WHERE kind = 'add_to_cart') AS carts,
         coalesce(sum(CAST(line->>1 AS bigint)), 0) AS units,
         coalesce(sum(CAST(line->>2 AS bigint)), 0) AS gmv
  FROM events LEFT JOIN LATERAL json_array_elements(
         CASE WHEN kind = 'payment' THEN lines END) AS line ON true
  WHERE campaign_id = :c AND (kind IN ('sku_view', 'add_to_cart') AND sku <> ''
                              OR kind = 'payment' AND lines IS NOT NULL)
  GROUP BY 1
) AS found GROUP BY sku"""


_PEOPLE = _people()


def rebuild(connection: Connection, campaign_id: str) -> int:
    """Replace the campaign's rollups with what its stored events add up to; returns how
    many events that is. Runs in the caller's transaction."""
    connection.execute(text("SET LOCAL work_mem = '1GB'"))  # the sorts in memory, or fewer runs
    for table in ("kpi_hourly", "kpi_skus", "kpi_seen", "kpi_buyers"):
        connection.execute(text(f"DELETE FROM {table} WHERE campaign_id = :c"), {"c": campaign_id})
    for sql in (_counters(), _PEOPLE, _SKUS):
        connection.execute(text(sql), {"c": campaign_id})
    found = connection.execute(
        text("SELECT coalesce(sum(events), 0) FROM kpi_hourly WHERE campaign_id = :c"),
        {"c": campaign_id},
    )
    return int(found.scalar_one())
