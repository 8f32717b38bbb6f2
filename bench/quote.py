"""Quote throughput through dacu's own stores, 1,000 … 100,000 live promotions.

The promotions are those of bench/pricing.py (every kind and scope, most of
them out of any one cart's reach), applied as campaign files spread over
`--campaigns` campaigns; each customer holds 10 claimed coupons and quotes a
20-line cart. Two paths per database and size:

- service: `platform.quotes.quote` in this process pinned to one core — the
  revision read, the compiled catalog, the wallet query, the engine;
- http: `POST /v1/quotes` on `dacu serve --workers 2`, from `--clients`
  keep-alive connections of a small asyncio client.

Prints a JSON list, one object per (backend, path, size). PostgreSQL runs when
DACU_TEST_DATABASE_URL (or --postgresql) names one, in a schema of its own.

    python -m bench.quote [--sizes 1000,10000,100000] [--seconds 10]
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import pricing
from bench.local import wait_up
from bench.quote_files import CUSTOMERS, NOW, coupons, documents
from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.access import Role
from dacu.domain.cart import Cart, Customer
from dacu.domain.coupons import Claimant
from dacu.domain.goods import Shop, Sku
from dacu.schemas.campaigns import load_campaign


def _prepare(platform: Platform, size: int, campaigns: int, carts: list[Cart]) -> list[str]:
    """The campaigns applied and the wallets claimed; the consumers' tokens."""
    files = documents(size, campaigns, carts)
    templates, held = coupons(carts)
    files[0]["coupons"] = templates
    for document in files:
        normalised, campaign = load_campaign(document)
        platform.campaigns.apply(normalised, campaign, "bench", NOW)
    _list_goods(platform, carts)
    tokens = []
    for c, ids in enumerate(held):
        for template_id in ids:
            claimant = Claimant(f"u{c}")
            platform.coupons.claim(template_id, claimant, template_id, NOW)
        platform.profiles.put(f"u{c}", NOW, phone_verified=True)  # the server knows it
        tokens.append(platform.principals.issue(f"u{c}", Role.CONSUMER, frozenset(), NOW))
    return tokens


def _list_goods(platform: Platform, carts: list[Cart]) -> None:
    """The carts' SKUs in the catalog, which the HTTP path's carts name (SKU and qty
    only). The catalog's category tree is fixed, so they are listed under 家居 (home):
    the synthetic category-scoped promotions then miss them over HTTP, as most of the
    catalog's promotions miss any one cart anyway."""
    lines = {line.sku: line for cart in carts for line in cart.lines}
    for shop_id in sorted({line.shop for line in lines.values()}):
        platform.goods.open_shop(Shop(shop_id, f"m-{shop_id}", shop_id))
    platform.goods.put([Sku(x.sku, x.shop, "home", x.sku, x.price, 0) for x in lines.values()])


def _figures(latencies: list[float], seconds: float, count: int) -> dict[str, float]:
    latencies.sort()
    return {
        "quotes_per_s": round(count / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 3),
    }


def service_run(platform: Platform, carts: list[Cart], seconds: float) -> dict[str, float]:
    customers = [Customer(f"u{c}", phone_verified=True) for c in range(len(carts))]
    clock = platform.clock
    for cart, customer in zip(carts, customers, strict=True):  # warm: compile the catalog
        platform.quotes.quote(cart, customer, clock())
    latencies: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for cart, customer in zip(carts, customers, strict=True):
            t0 = time.perf_counter_ns()
            platform.quotes.quote(cart, customer, clock())
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
    return _figures(latencies, time.perf_counter() - started, len(latencies))


def _request(body: bytes, token: str, port: int) -> bytes:
    head = (
        f"POST /v1/quotes HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _client(
    requests: list[bytes], port: int, until: float, latencies: list[float], bad: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    while time.perf_counter() < until:
        t0 = time.perf_counter_ns()
        writer.write(requests[i % len(requests)])
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
        if not head.startswith(b"HTTP/1.1 200"):
            bad.append(1)
        i += 1
    writer.close()


async def _drive(requests: list[bytes], port: int, clients: int, seconds: float) -> tuple:
    latencies: list[float] = []
    bad: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _client(requests[c:] + requests[:c], port, started + seconds, latencies, bad)
            for c in range(clients)
        )
    )
    return latencies, time.perf_counter() - started, len(bad)


def http_run(
    url: str, carts: list[Cart], tokens: list[str], seconds: float, clients: int, warm: float
):
    port = 19_000 + os.getpid() % 1000
    env = os.environ | {"DACU_DATABASE_URL": url}
    dacu = str(Path(sys.executable).with_name("dacu"))
    server = subprocess.Popen(
        [dacu, "serve", "--workers", "2", "--port", str(port), "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_up(f"http://127.0.0.1:{port}")
        requests = [
            _request(json.dumps({"cart": _cart_json(cart)}).encode(), token, port)
            for cart, token in zip(carts, tokens, strict=False)
        ]  # fmt: skip
        asyncio.run(_drive(requests, port, clients, warm))  # both workers compile
        latencies, elapsed, bad = asyncio.run(_drive(requests, port, clients, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {**_figures(latencies, elapsed, len(latencies)), "clients": clients, "non_200": bad}


def _cart_json(cart: Cart) -> dict[str, Any]:
    return {
        "items": [
            {"sku": line.sku, "qty": line.qty} for line in cart.lines
        ]
    }  # fmt: skip


@contextmanager
def database(backend: str, postgresql: str | None) -> Iterator[str]:
    """A fresh database of that kind: its URL, dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    assert postgresql is not None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgresql)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = database_url(postgresql).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure(backend: str, url: str, size: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    upgrade(url)
    engine = make_engine(url)
    platform = bootstrap(engine)
    rng = random.Random(args.seed)
    carts = [pricing.make_cart(rng) for _ in range(CUSTOMERS)]
    started = time.perf_counter()
    tokens = _prepare(platform, size, args.campaigns, carts)
    prepared_s = time.perf_counter() - started
    common = {"promotions": size, "backend": backend, "campaigns": args.campaigns,
              "cart_lines": len(carts[0].lines), "wallet_coupons": 10}  # fmt: skip
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cores:
        os.sched_setaffinity(0, {cores[0]})
    try:
        served = service_run(platform, carts, args.seconds)
    finally:
        if cores:
            os.sched_setaffinity(0, set(cores))
    first = time.perf_counter()
    bootstrap(engine).quotes.quote(carts[0], Customer("u0"), platform.clock())
    cold_ms = (time.perf_counter() - first) * 1000
    results = [
        {**common, "path": "service", **served, "cores": 1,
         "first_quote_ms": round(cold_ms, 1), "setup_s": round(prepared_s, 1)}
    ]  # fmt: skip
    engine.dispose()
    if not args.no_http:
        warm = 3 + size / 5_000  # both workers compile the catalog first
        http = http_run(url, carts, tokens, args.seconds, args.clients, warm)
        results.append({**common, "path": "http", **http, "cores": os.cpu_count(), "workers": 2})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seconds", type=float, default=10.0, help="per path and size")
    parser.add_argument("--campaigns", type=int, default=10, help="the promotions spread over")
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP connections")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgresql", default=os.environ.get("DACU_TEST_DATABASE_URL"))
    parser.add_argument("--no-http", action="store_true", help="the service path only")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and not args.postgresql:
            print("no PostgreSQL: set DACU_TEST_DATABASE_URL or --postgresql", file=sys.stderr)
            continue
        for size in (int(s) for s in args.sizes.split(",")):
            with database(backend, args.postgresql) as url:
                results += measure(backend, url, size, args)
            print(json.dumps(results[-1]), file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
