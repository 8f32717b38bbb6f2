"""Flash-sale throughput, side by side in one run, printed as one JSON object.

- gate: attempts/s through dacu's Redis gate (`attempt_many`: pipelined, from
  a few threads so encoding overlaps Redis's work);
- raw: the same Lua script driven by `redis-benchmark` (the ceiling here);
- sql: the SQL gate on PostgreSQL, from 16 threads;
- http: `dacu serve --workers 2` with Redis, driven by `wrk` over loopback,
  5,000 buyers' tokens, every answer from the real endpoint;
- cluster: the gate on one Redis and on a Redis Cluster of 3 masters, one
  sale and one sale per node (`bench/flash_cluster.py`).

Every run sells less stock than it is asked for and checks that exactly the
stock was sold (`oversold` sums any excess; it must be 0).

    python -m bench.flashsale [--attempts 100000] [--http-seconds 10] [--switch-ms 0.5]

`--switch-ms` sets the interpreter's switch interval of this process (the gate's
threads), as risk control's wiring does (`bootstrap_risk.quick_handover`: 0.5).

Needs PostgreSQL and Redis (DACU_TEST_DATABASE_URL / DACU_TEST_REDIS_URL, or
the local defaults) and the Debian packages wrk and redis-tools.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import text

from bench.flash_cluster import cluster_rows
from bench.flash_wrk import served
from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.redis_scripts import ATTEMPT, sale_keys
from dacu.adapters.sql_gate import SqlStockGate
from dacu.domain.access import Role
from dacu.domain.flashsale import FlashSale

DATABASE = os.environ.get("DACU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("DACU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SHANGHAI = ZoneInfo("Asia/Shanghai")
PLENTY = 10**9  # rate limits out of the way: the load comes from one address


def a_sale(sale_id: str, stock: int, limit: int) -> FlashSale:
    now = datetime.now(SHANGHAI)
    return FlashSale(
        sale_id,
        "P-PHONE",
        now - timedelta(minutes=1),
        now + timedelta(hours=1),
        stock,
        limit,
        price=359900,
        pay_within=timedelta(hours=1),
        user_rate=PLENTY,
        ip_rate=PLENTY,
    )


def gate_run(client: redis.Redis, prefix: str, attempts: int) -> dict[str, float]:
    gate = RedisStockGate(client, prefix)
    stock = attempts // 2
    gate.open(a_sale("gate", stock, 2))
    tries = [(f"u{i % (attempts // 4)}", f"g{i}", 1) for i in range(attempts)]
    batches = [tries[i : i + 200] for i in range(0, attempts, 200)]
    now = datetime.now(SHANGHAI)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        decided = [
            d
            for batch in pool.map(lambda b: gate.attempt_many("gate", b, now), batches)
            for d in batch
        ]
    elapsed = time.perf_counter() - started
    sold = sum(d.accepted for d in decided)
    return {
        "attempts_per_s": attempts / elapsed,
        "sold": sold,
        "stock": stock,
        "oversold": max(0, sold - stock) + max(0, -gate.remaining("gate")),
    }


def raw_run(client: redis.Redis, prefix: str, attempts: int) -> dict[str, float]:
    gate = RedisStockGate(client, prefix)
    stock = attempts // 2
    gate.open(a_sale("raw", stock, PLENTY))
    sha = client.script_load(ATTEMPT)
    keys = sale_keys(prefix, "raw")
    now_ms = int(datetime.now(SHANGHAI).timestamp() * 1000)
    rate = f"{keys[0]}:rate:{now_ms // 1000}"
    host = redis.connection.parse_url(REDIS)
    command = [
        "redis-benchmark", "-h", host.get("host", "127.0.0.1"), "-p", str(host.get("port", 6379)),
        "-n", str(attempts), "-c", "50", "-P", "16", "-r", "100000000", "--csv",
        "EVALSHA", sha, "5", *keys, rate, "u__rand_int__", "r__rand_int__", "1", str(now_ms), "",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    per_s = float(re.findall(r'"([0-9.]+)"', done.stdout.strip().splitlines()[-1])[0])
    left = gate.remaining("raw")
    return {"attempts_per_s": per_s, "oversold": max(0, -left), "stock_left": left}


def sql_run(engine_url: str, attempts: int) -> dict[str, float]:
    engine = make_engine(engine_url, pool_size=20)
    gate = SqlStockGate(engine)
    stock = attempts // 2
    gate.open(a_sale("sql", stock, 2))
    tries = [(f"u{i % (attempts // 4)}", f"s{i}") for i in range(attempts)]
    now = datetime.now(SHANGHAI)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        decided = list(pool.map(lambda t: gate.attempt("sql", t[0], t[1], 1, now), tries))
    elapsed = time.perf_counter() - started
    sold = sum(d.accepted for d in decided)
    engine.dispose()
    return {"attempts_per_s": attempts / elapsed, "sold": sold, "oversold": max(0, sold - stock)}


def http_run(engine_url: str, prefix: str, seconds: int, buyers: int) -> dict[str, float]:
    engine = make_engine(engine_url)
    principals = SqlPrincipals(engine)
    now = datetime.now(SHANGHAI)
    tokens = [principals.issue(f"b{i}", Role.CONSUMER, frozenset(), now) for i in range(buyers)]
    gate = RedisStockGate(redis.Redis.from_url(REDIS), prefix)
    stock = buyers * 10  # the measured run is mostly accepted attempts: the heavier path
    gate.open(a_sale("http", stock, 10))
    path = "/v1/flash-sales/http/attempts"
    try:
        with served(engine_url, prefix, tokens) as wrk:
            cached = redis.Redis.from_url(REDIS)
            for round_ in range(20):  # until every token is cached: no request reads the database
                wrk(path, 2, f"warm{round_}")
                if sum(1 for _ in cached.scan_iter(f"{prefix}:principal:*", count=1000)) >= buyers:
                    break
            cached.close()
            measured = wrk(path, seconds, "run")
    finally:
        engine.dispose()
    sold = sum(gate.buyers("http").values())
    return {
        "rps": measured["requests"] / (measured["duration_us"] / 1e6),
        "p50_ms": measured["p50_us"] / 1000,
        "p99_ms": measured["p99_us"] / 1000,
        "requests": measured["requests"],
        "socket_errors": measured["socket_errors"],
        "sold": sold,
        "stock": stock,
        "oversold": max(0, sold - stock) + max(0, -gate.remaining("http")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--sql-attempts", type=int, default=4_000)
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--buyers", type=int, default=5_000)
    parser.add_argument("--switch-ms", type=float, default=0.0, help="0: Python's default")
    args = parser.parse_args()
    if args.switch_ms:  # as risk control's wiring sets it (bootstrap_risk.quick_handover): 0.5
        sys.setswitchinterval(args.switch_ms / 1000)
    for tool in ("redis-benchmark", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed: apt-get install redis-tools wrk")
    run = uuid.uuid4().hex[:8]
    prefix = f"bench-{run}"
    client = redis.Redis.from_url(REDIS)
    schema = f"bench_{run}"
    admin = make_engine(DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = database_url(DATABASE).update_query_dict({"options": f"-csearch_path={schema}"})
    engine_url = url.render_as_string(hide_password=False)
    upgrade(engine_url)
    try:
        gate = gate_run(client, prefix, args.attempts)
        raw = raw_run(client, prefix, args.attempts)
        sql = sql_run(engine_url, args.sql_attempts)
        http = http_run(engine_url, prefix, args.http_seconds, args.buyers)
        cluster = cluster_rows(REDIS, prefix, args.attempts)
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    result = {
        "gate_attempts_per_s": round(gate["attempts_per_s"]),
        "raw_script_per_s": round(raw["attempts_per_s"]),
        "gate_vs_raw": round(gate["attempts_per_s"] / raw["attempts_per_s"], 2),
        "sql_attempts_per_s": round(sql["attempts_per_s"]),
        "http_rps": round(http["rps"]),
        "http_p50_ms": round(http["p50_ms"], 2),
        "http_p99_ms": round(http["p99_ms"], 2),
        "cluster_gate_attempts_per_s": {
            row: figures["attempts_per_s"] for row, figures in cluster.items()
        },
        "oversold": int(
            gate["oversold"]
            + raw["oversold"]
            + sql["oversold"]
            + http["oversold"]
            + sum(figures["oversold"] for figures in cluster.values())
        ),
        "cores": os.cpu_count(),
        "switch_interval_ms": round(sys.getswitchinterval() * 1000, 3),
        "detail": {"gate": gate, "raw": raw, "sql": sql, "http": http, "cluster": cluster},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
