"""The flash gate on one Redis and on a Redis Cluster of 3 masters, side by side.

`bench.flashsale` prints these beside its other rows. Each row drives
`attempt_many` (pipelined, from 4 threads) and checks that exactly the stock
was sold:
- one sale: every attempt on one sale's keys, so on a cluster one node
  serves them all (a sale is one hash slot);
- spread: the same attempts over one sale per primary (sale ids picked so
  that their hash tags land on different nodes), as a festival's many sales
  spread over a cluster;
- buckets: one hot sale split into 3 buckets (`redis_buckets.py`), its
  buckets borrowing stock from each other as they sell out.

The cluster is DACU_TEST_REDIS_CLUSTER_URL's, else one started for the run
with `.ci/redis-cluster` on ports 7121-7123 and stopped after it.
"""

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from redis.cluster import RedisCluster

from dacu.adapters.redis_buckets import BucketedStockGate
from dacu.adapters.redis_connect import Client, redis_client
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.redis_scripts import sale_keys
from dacu.domain.flashsale import FlashSale

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
PLENTY = 10**9
BENCH_PORTS = "7121 7122 7123"


def _sale(sale_id: str, stock: int) -> FlashSale:
    now = datetime.now(SHANGHAI)
    start, end = now - timedelta(minutes=1), now + timedelta(hours=1)
    return FlashSale(sale_id, "P-PHONE", start, end, stock, 2, user_rate=PLENTY, ip_rate=PLENTY)


def spread_sales(client: Client, prefix: str, count: int) -> list[str]:
    """`count` sale ids whose keys land on as many different nodes as there are."""
    if not isinstance(client, RedisCluster):
        return [f"spread-{i}" for i in range(count)]
    chosen: dict[str, str] = {}
    for i in range(1000):
        node = client.get_node_from_key(sale_keys(prefix, f"spread-{i}")[0])
        chosen.setdefault(node.name, f"spread-{i}")
        if len(chosen) == count:
            break
    return list(chosen.values())


def gate_run(
    client: Client, prefix: str, attempts: int, sales: list[str], buckets: int = 0
) -> dict[str, float]:
    """Attempts over `sales` (round robin by batch of 200) from 4 threads."""
    gate: RedisStockGate | BucketedStockGate = RedisStockGate(client, prefix)
    if buckets:
        gate = BucketedStockGate(client, prefix, buckets)
    stock = attempts // 2 // len(sales)
    for sale_id in sales:
        gate.open(_sale(sale_id, stock))
    tries = [(f"u{i % (attempts // 4)}", f"g{i}", 1) for i in range(attempts)]
    batches = [
        (sales[n % len(sales)], tries[i : i + 200]) for n, i in enumerate(range(0, attempts, 200))
    ]
    now = datetime.now(SHANGHAI)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        decided = pool.map(lambda b: gate.attempt_many(b[0], b[1], now), batches)
        sold = sum(d.accepted for batch in decided for d in batch)
    elapsed = time.perf_counter() - started
    left = sum(gate.remaining(sale_id) for sale_id in sales)
    if isinstance(gate, BucketedStockGate):
        left += sum(gate.in_flight(sale_id) for sale_id in sales)
    total = stock * len(sales)
    return {
        "attempts_per_s": round(attempts / elapsed),
        "sales": len(sales),
        "sold": sold,
        "stock": total,
        "oversold": max(0, sold - total) + max(0, -left),
    }


@contextmanager
def a_cluster() -> Iterator[str]:
    """The test cluster's URL, or one started for the run."""
    url = os.environ.get("DACU_TEST_REDIS_CLUSTER_URL")
    if url:
        yield url
        return
    folder = tempfile.mkdtemp()
    env = os.environ | {"DACU_CLUSTER_PORTS": BENCH_PORTS}
    script = str(ROOT / ".ci" / "redis-cluster")
    started = subprocess.run(
        [script, "start", folder], env=env, capture_output=True, text=True, check=True
    )
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([script, "stop", folder], env=env, check=False)


def cluster_rows(single_url: str, prefix: str, attempts: int) -> dict[str, dict[str, float]]:
    """One sale and spread sales, on one Redis and on the cluster."""
    rows: dict[str, dict[str, float]] = {}
    with a_cluster() as cluster_url:
        for name, url in (("single", single_url), ("cluster", cluster_url)):
            client = redis_client(url)
            try:
                primaries = 3
                rows[f"{name}_one_sale"] = gate_run(client, f"{prefix}-1", attempts, ["one"])
                sales = spread_sales(client, f"{prefix}-s", primaries)
                rows[f"{name}_spread"] = gate_run(client, f"{prefix}-s", attempts, sales)
                rows[f"{name}_hot_3_buckets"] = gate_run(
                    client, f"{prefix}-b", attempts, ["hot"], buckets=3
                )
            finally:
                for key in client.scan_iter(f"{prefix}-*", count=1000):
                    client.delete(key)
                client.close()
    return rows
