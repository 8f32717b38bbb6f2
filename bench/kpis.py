"""How fast the dashboard's KPI query answers over a campaign with millions of orders,
on PostgreSQL, printed as one JSON object.

1. `generate`: raw events written by PostgreSQL itself (generate_series): per order
   an `order` event, a `payment` for 95% of them, a partial `refund` for 3%, plus a
   page view per customer — spread over the campaign's hours, channels, segments
   and 200 SKUs. Nothing is aggregated here.
2. `rebuild`: dacu builds the rollups from those raw events in set-based SQL
   (`SqlKpiStore.rebuild`, i.e. `dacu kpi rebuild`: INSERT … SELECT … GROUP BY,
   DISTINCT ON and a window over the stored events, one transaction).
3. `kpi_query_ms`: `services.kpis.dashboard` — totals, hourly series, channels,
   segments, top SKUs, targets and alerts — timed `--queries` times (median, p95).
   `raw_scan_ms` is one GMV-and-orders query straight over the raw events, for
   comparison: what the dashboard would cost if it scanned events.
4. `ingest_events_per_s`: `services.kpis.ingest` of fresh events in batches of 1,000
   (the path `POST /v1/events` takes), on the same database.

    python bench/kpis.py [--orders 10000000] [--reuse]

`--reuse` keeps an earlier run's schema (bench_kpis) and skips steps 1–2 when it
holds as many orders as asked (`--rebuild`: step 2 all the same). Needs PostgreSQL
(DACU_TEST_DATABASE_URL or the local default).
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.domain.events import Channel, Event, EventKind, Line, Segment
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from dacu.services import kpis

DATABASE = os.environ.get("DACU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = os.environ.get("DACU_BENCH_SCHEMA", "bench_kpis")  # another, to run two side by side
CAMPAIGN = "double11-2026"
SAMPLE = "bench-ingest"  # the ingest rate is measured on a campaign of its own
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 8, tzinfo=SHANGHAI)
HOURS = 6 * 24  # warm-up to the end of the encore
EXAMPLE = Path(__file__).resolve().parents[1] / "src/dacu/examples/double11.yaml"

# One INSERT … SELECT per kind; `n` is the order number, customers are n % :customers.
_HOUR = "(:start + ((n * 7919) % :hours) * interval '1 hour' + (n % 3600) * interval '1 second')"
_CHANNEL = "(ARRAY['app','mini_program','web','share_link'])[1 + n % 4]"
_SEGMENT = "(CASE WHEN n % :customers % 3 = 0 THEN 'new' ELSE 'returning' END)"
_SKU = "'SKU-' || (n % 200)"
_AMOUNT = "(1900 + (n % 50) * 1000)"
_GENERATE = {
    "order": f"""
        INSERT INTO events (id, campaign_id, kind, customer_id, channel, segment, at, order_id,
                            amount, lines, received_at)
        SELECT 'o:' || n, :c, 'order', 'c' || (n % :customers), {_CHANNEL}, {_SEGMENT}, {_HOUR},
               'o' || n, {_AMOUNT}, json_build_array(json_build_array({_SKU}, 1, {_AMOUNT})),
               now()
        FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS n""",
    "payment": f"""
        INSERT INTO events (id, campaign_id, kind, customer_id, channel, segment, at, order_id,
                            amount, platform_funded, merchant_funded, lines, received_at)
        SELECT 'p:' || n, :c, 'payment', 'c' || (n % :customers), {_CHANNEL}, {_SEGMENT},
               {_HOUR} + interval '2 minutes', 'o' || n, {_AMOUNT}, {_AMOUNT} / 20,
               {_AMOUNT} / 50, json_build_array(json_build_array({_SKU}, 1, {_AMOUNT})), now()
        FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS n WHERE n % 20 <> 0""",
    "refund": f"""
        INSERT INTO events (id, campaign_id, kind, customer_id, channel, segment, at, order_id,
                            amount, platform_funded, received_at)
        SELECT 'r:' || n, :c, 'refund', 'c' || (n % :customers), {_CHANNEL}, {_SEGMENT},
               {_HOUR} + interval '3 hours', 'o' || n, {_AMOUNT} / 2, {_AMOUNT} / 40, now()
        FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS n
        WHERE n % 33 = 0 AND n % 20 <> 0""",
    "page_view": f"""
        INSERT INTO events (id, campaign_id, kind, customer_id, channel, segment, at,
                            received_at)
        SELECT 'v:' || n, :c, 'page_view', 'c' || (n % :customers), {_CHANNEL}, {_SEGMENT},
               {_HOUR} - interval '5 minutes', now()
        FROM generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) AS n WHERE n < :customers""",
}


def _engine() -> Engine:
    admin = make_engine(DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    admin.dispose()
    url = database_url(DATABASE).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    raw = url.render_as_string(hide_password=False)
    upgrade(raw)
    return make_engine(raw)


def _reset(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in ("events", "kpi_hourly", "kpi_skus", "kpi_seen", "kpi_buyers", "alerts"):
            connection.execute(text(f"TRUNCATE {table}"))


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), {"c": CAMPAIGN}).scalar_one() or 0)


def _generate(engine: Engine, orders: int) -> None:
    customers = max(1, orders // 4)
    step = 1_000_000
    for lo in range(0, orders, step):
        hi = min(orders, lo + step) - 1
        with engine.begin() as connection:
            for sql in _GENERATE.values():
                connection.execute(
                    text(sql),
                    {
                        "c": CAMPAIGN,
                        "lo": lo,
                        "hi": hi,
                        "customers": customers,
                        "hours": HOURS,
                        "start": START,
                    },
                )
        print(f"generated orders {hi + 1:,}/{orders:,}", file=sys.stderr, flush=True)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE events"))


def _fresh_events(count: int) -> list[Event]:
    found = []
    for n in range(count):
        at = START + timedelta(hours=n % HOURS, seconds=n % 3600)
        who, channel = f"new-{n % 25_000}", list(Channel)[n % 4]
        if n % 3 == 0:
            amount = 9900 + n % 7 * 100
            found.append(
                Event(f"bench:{n}", EventKind.PAYMENT, SAMPLE, who, channel, Segment.NEW, at,
                      order_id=f"b{n}", amount=amount, platform_funded=amount // 20,
                      lines=(Line(f"SKU-{n % 200}", 1, amount),))
            )  # fmt: skip
        else:
            kind = EventKind.PAGE_VIEW if n % 3 == 1 else EventKind.LOGIN
            found.append(Event(f"bench:{n}", kind, SAMPLE, who, channel, Segment.NEW, at))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=21)
    parser.add_argument("--ingest", type=int, default=100_000, help="events for the ingest rate")
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's data")
    parser.add_argument("--rebuild", action="store_true", help="with --reuse: rebuild anyway")
    args = parser.parse_args()

    engine = _engine()
    campaigns = SqlCampaignStore(engine)
    document, campaign = load_campaign(load_yaml(EXAMPLE.read_text("utf-8")))
    campaigns.apply(document, campaign, "bench", START)
    campaigns.apply(*load_campaign({**document, "id": SAMPLE}), "bench", START)
    store, alerts = SqlKpiStore(engine), SqlAlertStore(engine)

    have = _count(engine, "SELECT count(*) FROM events WHERE campaign_id = :c AND kind = 'order'")
    generate_s = rebuild_s = None
    regenerate = not (args.reuse and have == args.orders)
    if regenerate:
        _reset(engine)
        began = time.perf_counter()
        _generate(engine, args.orders)
        generate_s = time.perf_counter() - began
    if regenerate or args.rebuild:
        began = time.perf_counter()
        print("rebuilding the rollups from the raw events…", file=sys.stderr, flush=True)
        store.rebuild(CAMPAIGN)
        rebuild_s = time.perf_counter() - began
    events = _count(engine, "SELECT count(*) FROM events WHERE campaign_id = :c")

    now = START + timedelta(days=5, hours=12)
    times = []
    for _ in range(args.queries):
        began = time.perf_counter()
        board = kpis.dashboard(store, alerts, campaign, now)
        times.append((time.perf_counter() - began) * 1000)
    began = time.perf_counter()
    raw_gmv = _count(
        engine, "SELECT sum(amount) FROM events WHERE campaign_id = :c AND kind = 'payment'"
    )
    raw_scan_ms = (time.perf_counter() - began) * 1000

    fresh = _fresh_events(args.ingest)
    began = time.perf_counter()
    for start in range(0, len(fresh), 1000):
        kpis.ingest(store, campaigns, alerts, fresh[start : start + 1000], now)
    ingest_s = time.perf_counter() - began
    with engine.begin() as connection:  # the sample campaign goes; the big one stays
        for table in ("events", "kpi_hourly", "kpi_skus", "kpi_seen", "kpi_buyers"):
            connection.execute(text(f"DELETE FROM {table} WHERE campaign_id = :c"), {"c": SAMPLE})

    print(
        json.dumps(
            {
                "backend": "postgresql",
                "orders": board.totals.orders,
                "paid_orders": board.totals.payments,
                "events": events,
                "customers": board.totals.active,
                "gmv_fen": board.totals.gmv,
                "gmv_matches_raw": board.totals.gmv == raw_gmv,
                "rollup_rows": _count(
                    engine, "SELECT count(*) FROM kpi_hourly WHERE campaign_id = :c"
                ),
                "kpi_query_ms": round(statistics.median(times), 1),
                "kpi_query_ms_p95": round(sorted(times)[int(len(times) * 0.95) - 1], 1),
                "raw_scan_ms": round(raw_scan_ms, 1),
                "generate_s": None if generate_s is None else round(generate_s, 1),
                "rebuild_s": None if rebuild_s is None else round(rebuild_s, 1),
                "rebuild_events_per_s": None if rebuild_s is None else round(events / rebuild_s),
                "ingest_events_per_s": round(args.ingest / ingest_s),
                "cores": os.cpu_count(),
            }
        )
    )
    engine.dispose()


if __name__ == "__main__":
    main()
