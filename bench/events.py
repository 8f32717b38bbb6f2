"""Events through the stream, end to end, printed as one JSON object.

1. `accepted_per_s`: storefront batches of 1,000 events POSTed to `dacu serve
   --workers 2` (PostgreSQL + Redis) by an async client; each answered 202 once
   the batch is in Redis (a Redis of the bench's own, `appendonly yes` with
   `appendfsync everysec` unless `--redis-url` names another). No writer runs
   meanwhile, so the lag grows: it is reported as the accepting ends.
2. `folded_per_s`: the stream's writers (the `kpi-writers` consumer group, as in
   `dacu workers`), 1 then 2 processes, each folding what the stream holds into
   the rollups until the lag is zero; timed from start to an empty stream.
3. `where_the_time_goes`: one batch's steps timed in this process — reading and
   validating the body (one pass in pydantic-core), checking kinds and fields and
   the campaign's span on the validated events, the append to Redis, and for a
   writer, reading a batch back into events (as the writers do; through the models, for
   comparison) and recording 10 batches in SQL.

    python -m bench.events [--batches 200] [--senders 16]   (or python bench/events.py …)
Needs PostgreSQL (DACU_TEST_DATABASE_URL or the local default) and redis-server.
"""

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import redis
from sqlalchemy import text

from dacu.adapters.alert_store import SqlAlertStore
from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.adapters.event_stream import RedisEventStream
from dacu.adapters.kpi_store import SqlKpiStore
from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.bootstrap_events import event_folder
from dacu.domain.access import Role
from dacu.domain.events import storefront_fault
from dacu.schemas import events_fast
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.events import EventBatch, QueuedEvents
from dacu.schemas.yamlfile import load_yaml
from dacu.services import kpis
from dacu.services.kpi_stream import RecentCampaigns

try:
    from bench.local import free_port, wait_port
except ModuleNotFoundError:  # run as a file (`python bench/events.py`): its folder is the path
    from local import free_port, wait_port  # type: ignore[no-redef]

DATABASE = os.environ.get("DACU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_events"
CAMPAIGN = "bench-events"
PREFIX = "bench-events"
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 8, tzinfo=SHANGHAI)
HOURS = 6 * 24
EXAMPLE = Path(__file__).resolve().parents[1] / "src/dacu/examples/double11.yaml"
KINDS = ("page_view", "sku_view", "add_to_cart", "login", "share", "page_view")


def _schema_url() -> str:
    admin = make_engine(DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()
    url = database_url(DATABASE).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    raw = url.render_as_string(hide_password=False)
    upgrade(raw)
    return raw


def _batches(count: int, offset: int = 0) -> list[bytes]:
    """`count` bodies of 1,000 storefront events, every id new."""
    found = []
    for b in range(offset, offset + count):
        events = []
        for i in range(1000):
            n = b * 1000 + i
            at = START + timedelta(hours=n % HOURS, seconds=n % 3600)
            kind = KINDS[n % len(KINDS)]
            event = {
                "id": f"ev:{n}",
                "kind": kind,
                "campaign_id": CAMPAIGN,
                "customer_id": f"c{n % 200_000}",
                "channel": ("app", "mini_program", "web", "share_link")[n % 4],
                "segment": "new" if n % 3 == 0 else "returning",
                "at": at.isoformat(),
            }
            if kind in ("sku_view", "add_to_cart"):
                event["sku"] = f"SKU-{n % 200}"
            events.append(event)
        found.append(json.dumps({"events": events}, separators=(",", ":")).encode())
    return found


async def _send(base: str, token: str, bodies: list[bytes], senders: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    took: list[float] = []
    limits = httpx.Limits(max_connections=senders)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:

        async def sender() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                began = time.perf_counter()
                answer = await http.post("/v1/events", content=body, headers=headers)
                if answer.status_code != 202:
                    raise SystemExit(f"{answer.status_code}: {answer.text[:300]}")
                took.append(time.perf_counter() - began)

        await asyncio.gather(*(sender() for _ in range(senders)))
    return took


def _write(url: str, redis_url: str, name: str, ready: Any, go: Any, stop: Any) -> None:
    platform = bootstrap(make_engine(url), redis_url=redis_url, redis_prefix=PREFIX)
    folder = event_folder(platform, name, idle_ms=60_000)
    assert folder is not None
    ready.release()
    go.wait()
    while not stop.is_set():
        if not folder.run_once():
            time.sleep(0.01)
    platform.close()


def _fold(url: str, redis_url: str, writers: int, stream: RedisEventStream) -> dict[str, float]:
    """Start `writers` processes, time them from the go to an empty stream."""
    context = multiprocessing.get_context("spawn")
    ready, go, stop = context.Semaphore(0), context.Event(), context.Event()
    processes = [
        context.Process(target=_write, args=(url, redis_url, f"bench-w{n}", ready, go, stop))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    total = stream.lag(datetime.now(SHANGHAI)).events
    began = time.perf_counter()
    go.set()
    oldest = 0
    while (lag := stream.lag(datetime.now(SHANGHAI))).events:
        oldest = max(oldest, lag.oldest_age_ms)
        time.sleep(0.05)
    took = time.perf_counter() - began
    stop.set()
    for process in processes:
        process.join(30)
    return {"events": total, "seconds": round(took, 2), "per_s": round(total / took),
            "oldest_age_ms_max": oldest}  # fmt: skip


def _where_the_time_goes(url: str, stream: RedisEventStream) -> dict[str, float]:
    gc.freeze()  # as `dacu serve` does: what is built so far stays out of full collections
    engine = make_engine(url)
    campaigns = RecentCampaigns(SqlCampaignStore(engine))
    store, alerts = SqlKpiStore(engine), SqlAlertStore(engine)
    bodies = iter(_batches(10, offset=10**6))
    body = _batches(1, offset=2 * 10**6)[0]

    def ms(step: Callable[[], object], rounds: int = 10) -> float:
        began = time.perf_counter()
        for _ in range(rounds):
            step()
        return round((time.perf_counter() - began) * 1000 / rounds, 2)

    def record() -> None:
        fresh = events_fast.decode(next(bodies))
        kpis.record(store, alerts, kpis.checked(campaigns, fresh), fresh, START)

    batch = EventBatch.model_validate_json(body).events

    def check() -> None:
        for event in batch:
            storefront_fault(event)

    found = {
        "read_and_validate_body_ms": ms(lambda: EventBatch.model_validate_json(body)),
        "check_kinds_and_fields_ms": ms(check),
        "check_campaign_spans_ms": ms(lambda: kpis.checked(campaigns, batch)),
        "append_ms": ms(lambda: stream.append_sent(len(batch), START, body)),
        "writer_read_back_ms": ms(lambda: events_fast.decode(body)),
        "read_back_through_the_models_ms": ms(lambda: QueuedEvents.decode(body)),
        "writer_record_in_sql_ms": ms(record),
    }
    engine.dispose()
    return found


def _redis(args: argparse.Namespace) -> tuple[str, subprocess.Popen[bytes] | None, str]:
    if args.redis_url:
        return args.redis_url, None, "as configured"
    port, folder = free_port(), tempfile.mkdtemp(prefix="dacu-bench-redis-")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--dir", folder, "--save", "",
         "--appendonly", "yes", "--appendfsync", args.appendfsync],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wait_port(port)
    return f"redis://127.0.0.1:{port}/0", server, f"appendonly yes, appendfsync {args.appendfsync}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=200, help="batches of 1,000 per fold run")
    parser.add_argument("--senders", type=int, default=16, help="concurrent HTTP senders")
    parser.add_argument("--appendfsync", default="everysec", choices=("always", "everysec"))
    parser.add_argument("--redis-url", default=None, help="use this Redis, not one of our own")
    args = parser.parse_args()

    url = _schema_url()
    engine = make_engine(url)
    document, _ = load_campaign(load_yaml(EXAMPLE.read_text("utf-8")))
    SqlCampaignStore(engine).apply(*load_campaign({**document, "id": CAMPAIGN}), "bench", START)
    token = SqlPrincipals(engine).issue("bench-front", Role.STOREFRONT, frozenset(), START)
    redis_url, redis_server, durability = _redis(args)
    client = redis.Redis.from_url(redis_url)
    stream = RedisEventStream(client, PREFIX)
    port = free_port()
    env = {**os.environ, "DACU_DATABASE_URL": url, "DACU_REDIS_URL": redis_url,
           "DACU_REDIS_PREFIX": PREFIX}  # fmt: skip
    dacu = shutil.which("dacu") or str(Path(sys.executable).with_name("dacu"))
    server = subprocess.Popen(
        [dacu, "serve", "--workers", "2", "--port", str(port), "--no-access-log"], env=env
    )
    try:
        wait_port(port, 60)
        base = f"http://127.0.0.1:{port}"
        runs = {}
        for writers in (1, 2):
            bodies = _batches(args.batches, offset=(writers - 1) * args.batches)
            asyncio.run(_send(base, token, bodies[:4], 4))  # warm: tokens, campaigns cached
            began = time.perf_counter()
            took = asyncio.run(_send(base, token, bodies[4:], args.senders))
            seconds = time.perf_counter() - began
            lag = stream.lag(datetime.now(SHANGHAI))
            runs[writers] = {
                "accepted_per_s": round(len(took) * 1000 / seconds),
                "batch_ms_p50": round(sorted(took)[len(took) // 2] * 1000, 1),
                "batch_ms_p95": round(sorted(took)[int(len(took) * 0.95) - 1] * 1000, 1),
                "lag_after_accepting": {
                    "batches": lag.batches,
                    "events": lag.events,
                    "oldest_age_ms": lag.oldest_age_ms,
                },
                "fold": _fold(url, redis_url, writers, stream),
            }
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
            counted = connection.execute(text("SELECT sum(events) FROM kpi_hourly")).scalar_one()
        breakdown = _where_the_time_goes(url, stream)
    finally:
        server.terminate()
        server.wait(30)
        if redis_server is not None:
            redis_server.terminate()
            redis_server.wait(30)
    print(
        json.dumps(
            {
                "backend": "postgresql + redis",
                "redis_durability": durability,
                "api_processes": 2,
                "senders": args.senders,
                "accepted_per_s": max(run["accepted_per_s"] for run in runs.values()),
                "folded_per_s_1_writer": runs[1]["fold"]["per_s"],
                "folded_per_s_2_writers": runs[2]["fold"]["per_s"],
                "runs": {f"{n}_writers": run for n, run in runs.items()},
                "events_stored": stored,
                "events_counted_in_rollups": int(counted or 0),
                "where_the_time_goes_ms_per_batch_of_1000": breakdown,
                "cores": os.cpu_count(),
            }
        )
    )
    engine.dispose()


if __name__ == "__main__":
    main()
