"""A small HTTP/1.1 load generator: N keep-alive clients for T seconds, over raw asyncio.

Each client holds one connection and sends its next request as soon as the
previous answer is read whole (closed loop). Requests are built by a callable
`make(client, n) -> Request`, so every request may carry its own body and
headers (a new Idempotency-Key, another buyer's token). The client side is
kept thin — pre-encoded headers, no HTTP library — so that on a shared
machine most of the CPU goes to the server being measured.

    from bench.http_load import Request, load
    result = load("127.0.0.1", 8000, lambda c, n: Request("GET", "/health"), 32, 10)
    result.as_dict()  # {"count", "per_s", "statuses", "p50_ms", "p99_ms", ...}
"""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(
        cls, method: str, path: str, payload: Any, headers: Mapping[str, str] | None = None
    ) -> "Request":
        extra = {"Content-Type": "application/json", **(headers or {})}
        return cls(method, path, extra, json.dumps(payload, separators=(",", ":")).encode())

    def encode(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass
class Result:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0  # connections broken or refused
    bodies: dict[int, bytes] = field(default_factory=dict)  # one sample answer per status

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "per_s": round(self.count / self.seconds, 1) if self.seconds else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "p50_ms": round(self.percentile(50), 2),
            "p99_ms": round(self.percentile(99), 2),
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
        }


MakeRequest = Callable[[int, int], Request]


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One response: status, body, and whether the server keeps the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, keep = 0, False, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            keep = False
    if not chunked:
        return status, await reader.readexactly(length), keep
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body, keep
        body += chunk[:-2]


async def _client(
    host: str, port: int, index: int, make: MakeRequest, until: float, result: Result
) -> None:
    loop = asyncio.get_running_loop()
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    n = 0
    while loop.time() < until:
        request = make(index, n).encode(host)
        n += 1
        try:
            if connection is None:
                connection = await asyncio.open_connection(host, port)
            reader, writer = connection
            started = time.perf_counter()
            writer.write(request)
            status, body, keep = await _answer(reader)
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            result.errors += 1
            if connection is not None:
                connection[1].close()
            connection = None
            await asyncio.sleep(0.01)
            continue
        result.statuses[status] += 1
        result.bodies.setdefault(status, body)
        if not keep:
            writer.close()
            connection = None
    if connection is not None:
        connection[1].close()


async def load_async(
    host: str, port: int, make: MakeRequest, clients: int, seconds: float
) -> Result:
    loop = asyncio.get_running_loop()
    started = loop.time()
    result = Result(seconds)
    until = started + seconds
    await asyncio.gather(*(_client(host, port, i, make, until, result) for i in range(clients)))
    result.seconds = loop.time() - started  # the last answers may land after `until`
    return result


def load(host: str, port: int, make: MakeRequest, clients: int, seconds: float) -> Result:
    """Run `clients` closed-loop clients for `seconds`; uvloop when it is installed."""
    try:
        import uvloop

        return uvloop.run(load_async(host, port, make, clients, seconds))
    except ImportError:
        return asyncio.run(load_async(host, port, make, clients, seconds))
