"""Risk decisions: how fast the rules engine answers, and what it costs the flash gate.

- engine: `RiskEngine.assess` in process over a mix of deeds (claims, draws, invite
  rewards, flash attempts, checkouts, welcome packets) of `--customers` accounts
  sharing devices and IPs as a crowd does, once with SQL behind it (links, counters)
  and once with Redis (counters, the cluster cache); decisions/s on one thread
  (so per core), decisions per CPU second of the process (every thread, the work
  behind included: `time.process_time`) and p50/p99 latency, after a warm-up pass
  that links every account; then `again`, the same over a second pass (warm), and
  `two_threads`, a third pass from two threads of the process (one interpreter lock:
  a core's worth of Python, one thread's Redis wait the other's turn);
- flash: the Redis stock gate's attempts/s one at a time, without the check and
  with it as the attempt path wires it, in alternating rounds of the same run
  (`bench/risk_flash.py`): each phase's rates, their medians and ratio, the first
  round's ratio (every buyer's terms made then), and how many the check refused;

- flash_http: the attempt endpoint of `dacu serve` over HTTP without the check and
  with it, in alternating rounds of one run (`bench/risk_http.py`).

Targets: p99 < 2 ms with Redis, ≥ 5,000 decisions/s per core, the flash gate within
10% of its rate without the check.

    python -m bench.risk [--decisions 5000] [--attempts 5000] [--customers 2000]
                         [--flash-rounds 5] [--http-seconds 5] [--http-rounds 3]
                         [--switch-ms 5]

`--switch-ms` sets the interpreter's switch interval after the wiring set its own
(`bootstrap_risk.quick_handover`): 5 measures at Python's default.

Needs PostgreSQL and Redis (DACU_TEST_DATABASE_URL / DACU_TEST_REDIS_URL, or the
local defaults); runs in a schema of its own, dropped afterwards.
"""

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from bench.checkout import fresh_database
from bench.flashsale import REDIS, SHANGHAI
from bench.risk_flash import flash_run
from bench.risk_http import http_rounds
from bench.risk_world import engine_of, forget, handover, queries
from dacu.domain.risk import RiskQuery


def timed(call: Callable[[RiskQuery], Any], measured: list[RiskQuery]) -> dict[str, float]:
    took = []
    started, cpu = time.perf_counter(), time.process_time()
    for query in measured:
        t = time.perf_counter_ns()
        call(query)
        took.append(time.perf_counter_ns() - t)
    elapsed = time.perf_counter() - started
    spent = time.process_time() - cpu  # every thread of the process: the work behind too
    took.sort()
    return {
        "decisions_per_s": round(len(measured) / elapsed),
        "decisions_per_cpu_s": round(len(measured) / spent) if spent > 0 else 0,
        "p50_ms": round(took[len(took) // 2] / 1e6, 3),
        "p99_ms": round(took[len(took) * 99 // 100] / 1e6, 3),
    }


def engine_run(url: str, redis_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    prefix = f"bench-risk-{uuid.uuid4().hex[:8]}"
    try:
        return _engine_run(url, redis_url, prefix, args)
    finally:
        forget(prefix)


def _engine_run(
    url: str, redis_url: str | None, prefix: str, args: argparse.Namespace
) -> dict[str, Any]:
    risk = engine_of(url, redis_url, prefix)
    handover(args)
    start = datetime.now(SHANGHAI)
    warm = queries(args.customers, args.customers, start)
    for query in warm:  # every account linked once: the steady state of a running shop
        risk.assess(query)
    later = start + timedelta(seconds=len(warm) // 1000 + 1)
    found: dict[str, Any] = timed(risk.assess, queries(args.customers, args.decisions, later))
    again = later + timedelta(seconds=args.decisions // 1000 + 1)  # warm: a second pass
    found["again"] = timed(risk.assess, queries(args.customers, args.decisions, again))
    both = again + timedelta(seconds=args.decisions // 1000 + 1)
    found["two_threads"] = two_threads(risk.assess, queries(args.customers, args.decisions, both))
    return found


def two_threads(call: Callable[[RiskQuery], Any], measured: list[RiskQuery]) -> dict[str, float]:
    """The same deeds from two threads of one process (one interpreter lock: one core's
    Python), so that one thread's wait on Redis is the other's turn: decisions/s in all."""
    halves = [measured[0::2], measured[1::2]]
    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(2) as pool:
        for _ in pool.map(lambda half: [call(query) for query in half], halves):
            pass
    elapsed, spent = time.perf_counter() - started, time.process_time() - cpu
    return {
        "decisions_per_s": round(len(measured) / elapsed),
        "decisions_per_cpu_s": round(len(measured) / spent) if spent > 0 else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--flash-rounds", type=int, default=5)
    parser.add_argument("--http-seconds", type=int, default=5, help="0: no HTTP rounds")
    parser.add_argument("--http-rounds", type=int, default=3)
    parser.add_argument("--switch-ms", type=float, default=0.0, help="0: as the wiring sets it")
    args = parser.parse_args()
    result: dict[str, Any] = {"cores": os.cpu_count(), "args": vars(args)}
    with fresh_database("postgresql") as url:
        result["engine_sql"] = engine_run(url, None, args)
        result["engine_redis"] = engine_run(url, REDIS, args)
        result["flash_gate"] = flash_run(url, args)
    if args.http_seconds:
        with fresh_database("postgresql") as url:
            prefix = f"bench-risk-{uuid.uuid4().hex[:8]}"
            try:
                result["flash_http"] = http_rounds(
                    url, prefix, args.http_seconds, args.http_rounds, args.customers
                )
            finally:
                forget(prefix)
    result["switch_interval_ms"] = round(sys.getswitchinterval() * 1000, 3)
    result["targets"] = {
        "p99_ms_redis_below_2": result["engine_redis"]["p99_ms"] < 2,
        "decisions_per_s_per_core_at_least_5000": result["engine_redis"]["decisions_per_s"] >= 5000,
        "decisions_per_cpu_s_at_least_5000": result["engine_redis"]["decisions_per_cpu_s"] >= 5000,
        "two_threads_decisions_per_s_at_least_5000": (
            result["engine_redis"]["two_threads"]["decisions_per_s"] >= 5000
        ),
        "flash_gate_within_10_percent": result["flash_gate"]["with_over_without_bp"] >= 9000,
    }
    if "flash_http" in result:
        ratio = result["flash_http"]["with_over_without_bp"]
        result["targets"]["flash_endpoint_within_10_percent"] = ratio >= 9000
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
