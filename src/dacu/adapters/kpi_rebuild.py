"""A campaign's rollups rebuilt from its stored events in a handful of set-based
statements (PostgreSQL): each a scan of the events with GROUP BY, DISTINCT ON or a
window, in one transaction — the same figures the fold gives event by event.

1. counters per cell (hour, channel, segment): counts and money summed per cell and
   kind first (four sums a row), then spread over the counters;
2. who counts where (kpi_seen): each person's earliest event (by time, then id) in
   every distinct scope, the hourly-UV scope included — sorted byte-wise (COLLATE
   "C": abbreviated keys, several times faster than a locale's rules);
3. the distinct counters per cell, counted from (2);
4. payments per buyer, and repeat buyers in the cell of each one's second payment;
5. SKUs: views and carts counted, units and GMV from the payments' lines.
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dacu.domain.events import VIEWS
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


_SEEN = f"""
INSERT INTO kpi_seen (campaign_id, scope, customer_id, at, channel, segment)
SELECT DISTINCT ON (scope COLLATE "C", customer_id COLLATE "C")
       CAST(:c AS varchar), scope, customer_id, at, channel, segment
FROM (
  SELECT CASE s.scope WHEN '{HOURLY_UV}'
              THEN '{HOURLY_UV}:' || to_char(e.at AT TIME ZONE 'UTC', 'YYYYMMDDHH24')
              ELSE s.scope END AS scope,
         e.customer_id, e.at, e.id, e.channel, e.segment
  FROM events e JOIN (VALUES {SCOPES}) AS s(kind, scope) ON s.kind = e.kind
  WHERE e.campaign_id = :c
) AS scoped
ORDER BY scope COLLATE "C", customer_id COLLATE "C", at, id COLLATE "C"
"""


def _distinct_counters() -> str:
    names = [*DISTINCT, HOURLY_UV]
    counts = [f"count(*) FILTER (WHERE split_part(scope, ':', 1) = '{n}')" for n in names]
    sets = ", ".join(f"{n} = excluded.{n}" for n in names)
    return (
        f"INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, {', '.join(names)}) "
        f"SELECT CAST(:c AS varchar), {_CELL}, {', '.join(counts)} "
        f"FROM kpi_seen WHERE campaign_id = :c "
        f"GROUP BY 2, 3, 4 ON CONFLICT {_KEY} DO UPDATE SET {sets}"
    )


_BUYERS = """
INSERT INTO kpi_buyers (campaign_id, customer_id, payments)
SELECT CAST(:c AS varchar), customer_id, count(*) FROM events
WHERE campaign_id = :c AND kind = 'payment' GROUP BY customer_id"""

_REPEAT_BUYERS = f"""
INSERT INTO kpi_hourly (campaign_id, hour, channel, segment, repeat_buyers)
SELECT CAST(:c AS varchar), {_CELL}, count(*) FROM (
  SELECT at, channel, segment,
         row_number() OVER (PARTITION BY customer_id COLLATE "C"
                            ORDER BY at, id COLLATE "C") AS nth
  FROM events WHERE campaign_id = :c AND kind = 'payment'
) AS paid WHERE nth = 2 GROUP BY 2, 3, 4
ON CONFLICT {_KEY} DO UPDATE SET repeat_buyers = excluded.repeat_buyers"""

_SKUS = """
INSERT INTO kpi_skus (campaign_id, sku, views, carts, units, gmv)
SELECT CAST(:c AS varchar), sku, sum(views), sum(carts), sum(units), sum(gmv) FROM (
  SELECT sku, count(*) FILTER (WHERE kind = 'sku_view') AS views,
         count(*) FILTER (WHERE kind = 'add_to_cart') AS carts, 0 AS units, 0 AS gmv
  FROM events WHERE campaign_id = :c AND kind IN ('sku_view', 'add_to_cart') AND sku <> ''
  GROUP BY sku
  UNION ALL
  SELECT line->>0, 0, 0, sum(CAST(line->>1 AS bigint)), sum(CAST(line->>2 AS bigint))
  FROM events CROSS JOIN LATERAL json_array_elements(lines) AS line
  WHERE campaign_id = :c AND kind = 'payment' AND lines IS NOT NULL
  GROUP BY 1
) AS found GROUP BY sku"""


def rebuild(connection: Connection, campaign_id: str) -> int:
    """Replace the campaign's rollups with what its stored events add up to; returns how
    many events that is. Runs in the caller's transaction."""
    connection.execute(text("SET LOCAL work_mem = '1GB'"))  # the sorts in memory, or fewer runs
    for table in ("kpi_hourly", "kpi_skus", "kpi_seen", "kpi_buyers"):
        connection.execute(text(f"DELETE FROM {table} WHERE campaign_id = :c"), {"c": campaign_id})
    for sql in (_counters(), _SEEN, _distinct_counters(), _BUYERS, _REPEAT_BUYERS, _SKUS):
        connection.execute(text(sql), {"c": campaign_id})
    found = connection.execute(
        text("SELECT coalesce(sum(events), 0) FROM kpi_hourly WHERE campaign_id = :c"),
        {"c": campaign_id},
    )
    return int(found.scalar_one())
