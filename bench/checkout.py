"""Checkout throughput over HTTP, one JSON object per backend.

For each backend a fresh database (a PostgreSQL schema of its own, or a
SQLite file) gets the example campaign (examples/double11.yaml), one consumer
token per client and tracked stock on a few hot SKUs; then `dacu serve
--workers 2` takes `POST /v1/orders` from `--clients` closed-loop clients
(bench/http_load.py) for `--seconds`, every request a new Idempotency-Key, a
cart of 3 lines over the same hot SKUs. With Redis, orders are taken in by
Redis and written behind by the API processes' own checkout writers
(`BENCH_WORKERS=N` starts `dacu workers` with N more beside them).
Afterwards the orders in the database are counted once the writers have
caught up (`written_within_s` says how long that took): `orders_in_db` must
equal `created` (every 201, warm-up included).

    python -m bench.checkout [--seconds 10] [--clients 32] [--runs 3]
                             [--backends postgresql+redis,postgresql,sqlite]

Needs PostgreSQL (DACU_TEST_DATABASE_URL, default the local server) and, for
`postgresql+redis`, Redis (DACU_TEST_REDIS_URL); `postgresql+redis-cluster`
takes orders in on the Redis Cluster DACU_TEST_REDIS_CLUSTER_URL names, its
stock in shards (`.ci/redis-cluster start DIR` starts one).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from bench.http_load import Request, Result, load
from bench.local import wait_up
from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.adapters.redis_connect import redis_client
from dacu.adapters.tables import orders
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.goods import example_goods
from dacu.schemas.yamlfile import load_yaml

DATABASE = os.environ.get("DACU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("DACU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CLUSTER = os.environ.get("DACU_TEST_REDIS_CLUSTER_URL", "redis+cluster://127.0.0.1:7101")
REDIS_OF = {"+redis": REDIS, "+redis-cluster": CLUSTER}
ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
STOCK = 10**8  # plenty: nothing sells out, every refusal is a failure to look at
HOT = [  # the example cart's SKUs: (sku, shop, category, price)
    ("P-PHONE", "digital-flagship", "digital", 399900),
    ("E-BUDS", "digital-flagship", "digital", 49900),
    ("A-COAT", "north-wear", "apparel", 45900),
    ("A-SCARF", "north-wear", "apparel", 12900),
    ("H-KETTLE", "home-goods", "appliances", 19900),
    ("K-RICE", "home-goods", "food", 8900),
]


def cart(n: int, in_order: bool = False) -> dict[str, Any]:
    """Three of the hot SKUs, one unit each, a different three from one request to the next
    (in the list's order, wrapping round; sorted by SKU when `in_order`)."""
    chosen = [HOT[(n + i) % len(HOT)] for i in range(3)]
    if in_order:
        chosen.sort()
    return {"cart": {"items": [{"sku": sku, "qty": 1} for sku, *_ in chosen]}}


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """A migrated, empty database for one backend; dropped afterwards."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp())
        url = f"sqlite:///{folder / 'dacu.db'}"
        upgrade(url)
        try:
            yield url
        finally:
            shutil.rmtree(folder)
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    raw = database_url(DATABASE).update_query_dict({"options": f"-csearch_path={schema}"})
    url = raw.render_as_string(hide_password=False)
    upgrade(url)
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare(url: str, clients: int) -> list[str]:
    """The example campaign live, tracked stock on the hot SKUs, one consumer token a client."""
    engine = make_engine(url)
    platform = bootstrap(engine)
    now = datetime.now(SHANGHAI)
    document, campaign = load_campaign(load_yaml((ROOT / "examples/double11.yaml").read_text()))
    platform.campaigns.apply(document, campaign, "bench", now)
    for shop, skus in example_goods():  # the catalog the carts name
        platform.goods.open_shop(shop)
        platform.goods.put(skus)
    for sku, *_ in HOT:
        platform.stock.set_stock(sku, STOCK)
    tokens = [
        platform.principals.issue(f"c{i}", Role.CONSUMER, frozenset(), now) for i in range(clients)
    ]
    engine.dispose()
    return tokens


def orders_in(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = int(connection.scalar(select(func.count()).select_from(orders)) or 0)
    engine.dispose()
    return found


def written_within(url: str, created: int, limit: float = 60) -> float:
    """Seconds after the load until the database holds every order answered 201
    (those taken in by Redis are written behind); gives up after `limit`."""
    started = time.monotonic()
    while orders_in(url) < created and time.monotonic() - started < limit:
        time.sleep(0.1)
    return round(time.monotonic() - started, 2)


@contextmanager
def serving(url: str, redis_prefix: str | None, redis_url: str = REDIS) -> Iterator[int]:
    """`dacu serve --workers 2` on a free port, stopped afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("DACU_")}
    env["DACU_DATABASE_URL"] = url
    if redis_prefix is not None:
        env |= {"DACU_REDIS_URL": redis_url, "DACU_REDIS_PREFIX": redis_prefix}
    dacu = str(Path(sys.executable).with_name("dacu"))
    commands = [[dacu, "serve", "--workers", "2", "--port", str(port), "--no-access-log"]]
    if os.environ.get("BENCH_WORKERS"):  # writers of their own besides the API processes'
        commands.append([dacu, "workers", "--processes", os.environ["BENCH_WORKERS"]])
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "ab")  # noqa: SIM115
    started = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
        for command in commands
    ]
    try:
        wait_up(f"http://127.0.0.1:{port}")
        yield port
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            process.wait(timeout=30)
        log.close()


def drive(port: int, tokens: list[str], seconds: float, run: str, in_order: bool) -> Result:
    def make(client: int, n: int) -> Request:
        headers = {"Authorization": f"Bearer {tokens[client]}", "Idempotency-Key": f"{run}-{n}"}
        return Request.json("POST", "/v1/orders", cart(client + n, in_order), headers)

    return load("127.0.0.1", port, make, len(tokens), seconds)


def one_run(
    backend: str, seconds: float, clients: int, warmup: float, in_order: bool
) -> dict[str, Any]:
    database, plus, tail = backend.partition("+")
    redis_url = REDIS_OF.get(plus + tail)
    prefix = f"bench-{uuid.uuid4().hex[:8]}" if redis_url else None
    with fresh_database(database) as url:
        tokens = prepare(url, clients)
        try:
            with serving(url, prefix, redis_url or REDIS) as port:
                warm = drive(port, tokens, warmup, "warm", in_order)  # tokens cached, pools filled
                measured = drive(port, tokens, seconds, "run", in_order)
                created = warm.statuses[201] + measured.statuses[201]
                behind = written_within(url, created)
            in_db = orders_in(url)
        finally:
            if redis_url is not None:
                client = redis_client(redis_url)
                for key in client.scan_iter(f"*{prefix}*"):
                    client.delete(key)
                client.close()
    figures = measured.as_dict()
    others = {s: b.decode(errors="replace")[:300] for s, b in measured.bodies.items() if s != 201}
    return {
        "backend": backend,
        "orders_per_s": round(measured.statuses[201] / measured.seconds, 1),
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
        "cores": os.cpu_count(),
        "created": created,
        "orders_in_db": in_db,
        "written_within_s": behind,
        "sold_out": measured.statuses[409],
        "statuses": figures["statuses"],
        "errors": figures["errors"] + warm.errors,
        "clients": clients,
        "seconds": figures["seconds"],
        **({"other_answers": others} if others else {}),
    }


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs' medians of the figures, the last run's counts, every run's figures."""
    summary = dict(runs[-1])
    for figure in ("orders_per_s", "p50_ms", "p99_ms"):
        summary[figure] = round(statistics.median(r[figure] for r in runs), 2)
    summary["consistent"] = all(r["created"] == r["orders_in_db"] for r in runs)
    summary["runs"] = [{k: r[k] for k in ("orders_per_s", "p50_ms", "p99_ms")} for r in runs]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--runs", type=int, default=1, help="medians over this many runs")
    parser.add_argument("--backends", default="postgresql+redis,postgresql")
    parser.add_argument(
        "--sorted",
        action="store_true",
        help="every cart's lines in SKU order (a store locking rows in line order cannot "
        "deadlock then); by default the order varies, as real carts' does",
    )
    args = parser.parse_args()
    for backend in args.backends.split(","):
        runs = [
            one_run(backend, args.seconds, args.clients, args.warmup, args.sorted)
            for _ in range(args.runs)
        ]
        print(json.dumps(runs[0] if args.runs == 1 else median_of(runs)), flush=True)


if __name__ == "__main__":
    main()
