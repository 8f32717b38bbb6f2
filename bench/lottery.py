"""The lottery 摇摇欲坠: draws per second through the API and through the atomic draw
alone, the odds, and the pool and budget never overdrawn. Prints one JSON object.

- `atomic`: for each backend (SQL on PostgreSQL, SQL on SQLite, the Redis script
  with PostgreSQL as the record) `--drawers` threads draw at once through the
  draw engine for `--seconds`, over the example pool with its stock cut down
  (÷`--shrink`) and a budget line of `--budget` fen, so prizes and the budget
  run out under load. Each drawer's first draw is not timed (it loads the
  customer's figures). The Redis engine's draws are written behind
  (`lottery_writer.py`): after the storm a writer writes what is left
  (`written_after`, `written_after_s`). Afterwards no prize is given past its
  stock, the budget line is not passed, every chance used is a draw, and the
  counters hold exactly what the draws say.
- `frequency`: `--draws` draws through the first backend's engine over the
  example pool with its own stock and budget line (none runs out over 100,000
  draws: `none_ran_out`; none overdrawn), by `--frequency-drawers`
  customers drawing at once (a thread each: more threads only queue for the
  interpreter), each granted its share of chances: each prize's count within
  its exact binomial 99.9% interval (`bench/lottery_odds.py`).
- `api`: `dacu serve --workers 2` takes `POST /v1/campaigns/{id}/lottery/draws`
  from `--drawers` closed-loop clients (bench/http_load.py), each a
  phone-verified member with chances to spare, every request a new key.

    python -m bench.lottery [--seconds 10] [--drawers 2000] [--draws 100000]
                            [--frequency-drawers 32]
                            [--backends postgresql+redis,postgresql,sqlite] [--skip-api]
                            [--skip-frequency]

`load_before` and `load_after` are the load averages when the run began and ended.

Needs PostgreSQL (DACU_TEST_DATABASE_URL, default the local server) and, for
`+redis`, Redis (DACU_TEST_REDIS_URL).
"""

import argparse
import json
import os
import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import Engine

from bench.checkout import REDIS, fresh_database, serving
from bench.http_load import Request, load
from bench.lottery_checks import CAMPAIGN, SHANGHAI, grant_all, invariants, written
from bench.lottery_odds import check
from dacu.adapters.db import make_engine
from dacu.adapters.lottery_redis import RedisDrawEngine
from dacu.adapters.lottery_store import SqlDrawEngine
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.domain.lottery import ROLL_BITS, ChanceReason, DrawTicket, Lottery, NoChance
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[1]


def launch(now: datetime) -> tuple[dict[str, Any], Any]:
    """The example launch campaign, its phases moved to run around `now`."""
    document = load_yaml((ROOT / "src/dacu/examples/launch.yaml").read_text(encoding="utf-8"))
    document["phases"] = [
        {"name": "burst", "starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=1)}
    ]
    return load_campaign(document)


def pool(shrink: int | None, budget: int | None) -> Lottery:
    """The example pool: stock ÷ `shrink` (None: unlimited), the budget line `budget`."""
    found = launch(datetime.now(SHANGHAI))[1].growth.lottery
    prizes = tuple(
        replace(p, stock=None if shrink is None or p.stock is None else max(1, p.stock // shrink))
        for p in found.prizes
    )
    return Lottery(prizes, found.chances, budget or 10**12)


def engine_of(backend: str, engine: Engine, prefix: str) -> Any:
    if backend.endswith("+redis"):
        connections = redis.BlockingConnectionPool.from_url(REDIS, max_connections=64, timeout=600)
        return RedisDrawEngine(redis.Redis(connection_pool=connections), engine, prefix)
    return SqlDrawEngine(engine)


def storm(
    draw_engine: Any, lottery: Lottery, customers: list[str], seconds: float
) -> tuple[int, float]:
    """Every customer draws once (not timed), then in a thread of its own until `seconds`
    pass or its chances end; the draws timed and the seconds from the moment every thread
    was ready (starting thousands of threads and loading every customer's figures take
    seconds of their own on a loaded machine) to the last one's end."""
    began: list[float] = []
    start = threading.Barrier(len(customers), action=lambda: began.append(time.monotonic()))

    def drawer(customer: str) -> int:
        ticket = DrawTicket(
            CAMPAIGN, customer, uuid.uuid4().hex, uuid.uuid4().hex,
            secrets.randbits(ROLL_BITS), datetime.now(SHANGHAI),
        )  # fmt: skip
        with suppress(NoChance):  # a first draw, not timed: the customer's figures loaded
            draw_engine.draw(lottery, ticket)
        start.wait()
        until, done = began[0] + seconds, 0
        while time.monotonic() < until:
            ticket = DrawTicket(
                CAMPAIGN, customer, uuid.uuid4().hex, uuid.uuid4().hex,
                secrets.randbits(ROLL_BITS), datetime.now(SHANGHAI),
            )  # fmt: skip
            try:
                draw_engine.draw(lottery, ticket)
            except NoChance:
                break
            done += 1
        return done

    with ThreadPoolExecutor(max_workers=len(customers)) as threads:
        drawn = sum(threads.map(drawer, customers))
    return drawn, time.monotonic() - began[0]


def atomic(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    lottery = pool(args.shrink, args.budget)
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    customers = [f"d{i}" for i in range(args.drawers)]
    with fresh_database(backend.removesuffix("+redis")) as url:
        engine = make_engine(url, pool_size=40, max_overflow=0, pool_timeout=600)
        grant_all(engine, customers, 10**6)
        draws = engine_of(backend, engine, prefix)
        drawn, took = storm(draws, lottery, customers, args.seconds)
        behind = written(draws)
        found = invariants(engine, lottery)
        engine.dispose()
    _forget(prefix)
    return {
        "backend": backend,
        "draws_per_s": round(drawn / took, 1),
        "seconds": round(took, 2),
        **behind,
        **found,
    }


def frequency(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """The odds over the example pool with its own stock and budget line, none of which
    runs out over 100,000 draws (`none_ran_out` says so), so every prize stays open."""
    budget = launch(datetime.now(SHANGHAI))[1].growth.lottery.budget
    lottery = pool(1, budget)
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    customers = [f"f{i}" for i in range(args.frequency_drawers)]
    per = -(-args.draws // len(customers))
    with fresh_database(backend.removesuffix("+redis")) as url:
        engine = make_engine(url, pool_size=40, max_overflow=0, pool_timeout=600)
        grant_all(engine, customers, per)
        draws = engine_of(backend, engine, prefix)
        _, took = storm(draws, lottery, customers, 10**6)
        behind = written(draws)
        found = invariants(engine, lottery)
        engine.dispose()
    _forget(prefix)
    counts = found["given"]
    most = max(p.value for p in lottery.prizes)
    open_throughout = found["budget_drawn"] + most <= lottery.budget and all(
        p.stock is None or counts[p.id] < p.stock for p in lottery.prizes
    )
    kept = ("no_stock_below_zero", "budget_within_cap", "chances_match_draws")
    return {
        "backend": backend,
        "seconds": round(took, 1),
        "draws_per_s": round(sum(counts.values()) / took, 1),
        **behind,
        "budget_drawn": found["budget_drawn"],
        "budget": lottery.budget,
        "none_ran_out": open_throughout,
        **{k: found[k] for k in (*kept, "counters_match_draws")},
        **check(counts, {p.id: p.weight for p in lottery.prizes}),
    }


def through_api(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}" if backend.endswith("+redis") else None
    behind: dict[str, Any] = {}
    with fresh_database(backend.removesuffix("+redis")) as url:
        tokens = _members(url, args.drawers)
        with serving(url, prefix) as port:
            path = f"/v1/campaigns/{CAMPAIGN}/lottery/draws"

            def make(client: int, n: int) -> Request:
                headers = {
                    "Authorization": f"Bearer {tokens[client]}",
                    "Idempotency-Key": f"{client}-{n}",
                }
                return Request("POST", path, headers)

            measured = load("127.0.0.1", port, make, len(tokens), args.seconds)
        engine = make_engine(url)
        if prefix is not None:
            behind = written(RedisDrawEngine(redis.Redis.from_url(REDIS), engine, prefix))
        lottery = pool(1, None)
        found = invariants(
            engine, replace(lottery, budget=launch(datetime.now(SHANGHAI))[1].growth.lottery.budget)
        )
        engine.dispose()
    if prefix is not None:
        _forget(prefix)
    figures = measured.as_dict()
    return {
        "backend": backend,
        "draws_per_s": round(measured.statuses[201] / measured.seconds, 1),
        **figures,
        **behind,
        **found,
    }


def _members(url: str, count: int) -> list[str]:
    """Phone-verified members with chances to spare, one token each; the campaign live."""
    engine = make_engine(url, pool_size=20, max_overflow=0)
    platform = bootstrap(engine)
    now = datetime.now(SHANGHAI)
    platform.campaigns.apply(*launch(now), "bench", now)
    assert platform.lottery is not None
    lottery = platform.lottery

    def member(i: int) -> str:
        platform.profiles.put(f"m{i}", now, phone=f"+86139{i:08d}", phone_verified=True)
        lottery.grant(CAMPAIGN, f"m{i}", 1000, ChanceReason.ALL_TASKS, "bench")
        return platform.principals.issue(f"m{i}", Role.CONSUMER, frozenset(), now)

    with ThreadPoolExecutor(max_workers=16) as threads:
        tokens = list(threads.map(member, range(count)))
    engine.dispose()
    return tokens


def _forget(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--drawers", type=int, default=2000)
    parser.add_argument("--draws", type=int, default=100_000, help="for the frequency run")
    parser.add_argument("--frequency-drawers", type=int, default=32, help="for the frequency run")
    parser.add_argument("--shrink", type=int, default=100, help="stock ÷ this in the atomic runs")
    parser.add_argument("--budget", type=int, default=500_000, help="the atomic runs' line, fen")
    parser.add_argument("--backends", default="postgresql+redis,postgresql,sqlite")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-frequency", action="store_true")
    args = parser.parse_args()
    backends = args.backends.split(",")
    result: dict[str, Any] = {"cores": os.cpu_count(), "drawers": args.drawers}
    result["load_before"] = [round(x, 2) for x in os.getloadavg()]
    result["atomic"] = [atomic(b, args) for b in backends]
    if not args.skip_frequency:
        result["frequency"] = frequency(backends[0], args)
    if not args.skip_api:
        result["api"] = [through_api(b, args) for b in backends if b != "sqlite"]
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
