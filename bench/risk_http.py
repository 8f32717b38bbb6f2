"""The flash attempt endpoint with and without the risk check, in one run of one server.

`dacu serve --workers 2` with PostgreSQL and Redis, driven by `wrk` over loopback:
buyers' tokens two to a device (the `X-Device-Id` header), every answer from the real
endpoint. The check is turned off and on by applying a rules version — the packaged
rules with `flash_attempt` taken out of every rule, then the packaged rules — as the
risk role would; every process sees a new version within about a second. The rounds
alternate (without, with, without, with, …) on fresh sales so that the machine's
load falls on both alike; the medians are compared.
"""

import copy
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from bench.flashsale import REDIS, SHANGHAI, _wait_up, a_sale
from dacu.adapters.db import make_engine
from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.risk_store import SqlRuleVersions
from dacu.domain.access import Role
from dacu.schemas.risk_rules import default_document

WRK_SCRIPT = """
local tokens, counter = {}, 0
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  path, run = args[2], args[3]
end
function request()
  counter = counter + 1
  local n = (counter * 7919 + id) % #tokens
  local body = '{"request_id":"' .. run .. '-' .. id .. '-' .. counter .. '","qty":1}'
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
                                   ["Authorization"] = "Bearer " .. tokens[n + 1],
                                   ["X-Device-Id"] = "dev-" .. math.floor(n / 2)}, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"socket_errors":%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout))
end
"""


def without_flash(document: Any) -> Any:
    """The rules with `flash_attempt` taken out of every rule (a rule left with no
    action is dropped)."""
    found = copy.deepcopy(document)
    kept = []
    for rule in found["rules"]:
        rule["actions"] = [a for a in rule["actions"] if a != "flash_attempt"]
        if rule["actions"]:
            kept.append(rule)
    found["rules"] = kept
    return found


def http_rounds(engine_url: str, prefix: str, seconds: int, rounds: int, buyers: int) -> dict:
    engine = make_engine(engine_url)
    now = datetime.now(SHANGHAI)
    principals = SqlPrincipals(engine)
    tokens = [principals.issue(f"b{i}", Role.CONSUMER, frozenset(), now) for i in range(buyers)]
    versions = SqlRuleVersions(engine)
    folder = Path(tempfile.mkdtemp())
    (folder / "tokens.txt").write_text("\n".join(tokens) + "\n")
    (folder / "attempt.lua").write_text(WRK_SCRIPT)
    port = 19_000 + os.getpid() % 1000
    env = os.environ | {
        "DACU_DATABASE_URL": engine_url,
        "DACU_REDIS_URL": REDIS,
        "DACU_REDIS_PREFIX": prefix,
    }
    dacu = str(Path(sys.executable).with_name("dacu"))
    server = subprocess.Popen(
        [dacu, "serve", "--workers", "2", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base)
        run = _runner(folder, base, prefix)
        for n in range(3):  # every token cached and every buyer seen once: the steady state
            run(2, f"warm{n}", True)
        found: dict[str, list[dict[str, float]]] = {"without_checks": [], "with_checks": []}
        document = default_document()
        for n in range(rounds):
            for name, rules in (
                ("without_checks", without_flash(document)),
                ("with_checks", document),
            ):
                versions.apply(json.loads(json.dumps(rules, default=str)), "bench", now)
                time.sleep(1.5)  # every process re-reads the active version within a second
                found[name].append(run(seconds, f"{name}{n}", name == "with_checks"))
        return _summary(found)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        engine.dispose()
        shutil.rmtree(folder)


def _runner(folder: Path, base: str, prefix: str) -> Callable[[int, str, bool], dict[str, float]]:
    gate = RedisStockGate(redis.Redis.from_url(REDIS), prefix)

    def run(duration: int, sale: str, _: bool) -> dict[str, float]:
        gate.open(a_sale(sale, 1_000_000, 1_000_000))
        path = f"/v1/flash-sales/{sale}/attempts"
        done = subprocess.run(
            ["wrk", "-t1", "-c64", f"-d{duration}s", "-s", str(folder / "attempt.lua"),
             base + path, "--", str(folder / "tokens.txt"), path, sale],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
        measured = json.loads(line[4:])
        sold = sum(gate.buyers(sale).values())
        return {
            "rps": round(measured["requests"] / (measured["duration_us"] / 1e6)),
            "p99_ms": measured["p99_us"] / 1000,
            "sold": sold,
            "requests": measured["requests"],
        }

    return run


def _summary(found: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    medians = {name: statistics.median(r["rps"] for r in rows) for name, rows in found.items()}
    return {
        "without_checks_rps_median": round(medians["without_checks"]),
        "with_checks_rps_median": round(medians["with_checks"]),
        "with_over_without_bp": int(medians["with_checks"] * 10_000 // medians["without_checks"]),
        "rounds": found,
    }
