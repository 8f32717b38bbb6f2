"""Where one checkout's time goes: `POST /v1/orders` through the whole ASGI app, in process.

The app runs over a fresh database with the same data as bench/checkout.py;
requests are sent one at a time straight into the ASGI app (no socket, no
uvicorn), with FastAPI's thread hops made inline so that cProfile sees the
handler and everything under it. Prints the wall and CPU time per order, then
the functions by cumulative time.

    python bench/checkout_profile.py [--backend postgresql+redis] [--orders 300] [--top 40]
"""

import argparse
import asyncio
import cProfile
import json
import pstats
import time
import uuid
from collections.abc import Callable
from typing import Any

import fastapi.dependencies.utils
import fastapi.routing

import dacu.entrypoints.api.context
from bench.checkout import REDIS, cart, fresh_database, prepare
from dacu.adapters.db import make_engine
from dacu.bootstrap import bootstrap
from dacu.entrypoints.api.app import create_app


async def _inline(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return call(*args, **kwargs)


for module in (fastapi.routing, fastapi.dependencies.utils, dacu.entrypoints.api.context):
    module.run_in_threadpool = _inline  # type: ignore[attr-defined]


async def post_order(app: Any, token: str, n: int) -> int:
    body = json.dumps(cart(n)).encode()
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
        (b"idempotency-key", uuid.uuid4().hex.encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/orders",
        "raw_path": b"/v1/orders",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


async def measure(app: Any, token: str, orders: int, top: int) -> None:
    for n in range(min(orders, 50)):  # warm: caches, pools, prepared statements
        await post_order(app, token, n)
    wall, cpu = time.perf_counter(), time.process_time()
    statuses = [await post_order(app, token, n) for n in range(orders)]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{orders} orders, statuses {sorted(set(statuses))}: ", end="")
    print(f"{wall / orders * 1000:.2f} ms wall, {cpu / orders * 1000:.2f} ms CPU per order")
    profile = cProfile.Profile()
    profile.enable()
    for n in range(orders):
        await post_order(app, token, n)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backend",
        default="postgresql+redis",
        choices=["postgresql+redis", "postgresql", "sqlite"],
        help="+redis: orders taken in by Redis (and left unwritten: no writer runs here)",
    )
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    redis_url = REDIS if args.backend.endswith("+redis") else None
    with fresh_database(args.backend.removesuffix("+redis")) as url:
        token = prepare(url, 1)[0]
        engine = make_engine(url)
        app = create_app(bootstrap(engine, redis_url=redis_url, redis_prefix=prefix))
        asyncio.run(measure(app, token, args.orders, args.top))
        engine.dispose()


if __name__ == "__main__":
    main()
