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
import statistics
import time
from datetime import datetime
from typing import Any

import redis

from bench.flash_wrk import Wrk, served
from bench.flashsale import REDIS, SHANGHAI, a_sale
from dacu.adapters.db import make_engine
from dacu.adapters.principals import SqlPrincipals
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.risk_store import SqlRuleVersions
from dacu.domain.access import Role
from dacu.schemas.risk_rules import default_document


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
    found: dict[str, list[dict[str, float]]] = {"without_checks": [], "with_checks": []}
    document = default_document()
    plans = (("without_checks", without_flash(document)), ("with_checks", document))
    try:
        with served(engine_url, prefix, tokens) as wrk:
            run = _runner(wrk, prefix)
            for n in range(3):  # every token cached and every buyer seen once: the steady state
                run(2, f"warm{n}")
            for n in range(rounds):
                for name, rules in plans:
                    versions.apply(json.loads(json.dumps(rules, default=str)), "bench", now)
                    time.sleep(1.5)  # every process re-reads the active version within a second
                    found[name].append(run(seconds, f"{name}{n}"))
    finally:
        engine.dispose()
    return _summary(found)


def _runner(wrk: Wrk, prefix: str) -> Any:
    gate = RedisStockGate(redis.Redis.from_url(REDIS), prefix)

    def run(duration: int, sale: str) -> dict[str, float]:
        gate.open(a_sale(sale, 1_000_000, 1_000_000))
        measured = wrk(f"/v1/flash-sales/{sale}/attempts", duration, sale, True)
        return {
            "rps": round(measured["requests"] / (measured["duration_us"] / 1e6)),
            "p99_ms": measured["p99_us"] / 1000,
            "sold": sum(gate.buyers(sale).values()),
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
