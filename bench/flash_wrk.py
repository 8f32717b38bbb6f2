"""The flash attempt endpoint under load: `dacu serve --workers 2` with Redis, driven by
`wrk` over loopback with buyers' tokens (`bench/flashsale.py`'s HTTP row, and
`bench/risk_http.py`'s rounds with and without the risk check)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.checkout import REDIS
from bench.local import wait_up

WRK_SCRIPT = """
local tokens, counter = {}, 0
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  path, run, devices = args[2], args[3], args[4] == "1"
end
function request()
  counter = counter + 1
  local n = (counter * 7919 + id) % #tokens
  local body = '{"request_id":"' .. run .. '-' .. id .. '-' .. counter .. '","qty":1}'
  local headers = {["Content-Type"] = "application/json",
                   ["Authorization"] = "Bearer " .. tokens[n + 1]}
  if devices then headers["X-Device-Id"] = "dev-" .. math.floor(n / 2) end
  return wrk.format("POST", path, headers, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"socket_errors":%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout))
end
"""

Wrk = Callable[..., dict[str, Any]]


@contextmanager
def served(engine_url: str, prefix: str, tokens: list[str]) -> Iterator[Wrk]:
    """`dacu serve --workers 2` with Redis, and `wrk path seconds run [devices]` against it:
    the attempt script's figures, from buyers of `tokens` (`devices`: two to a device,
    in the `X-Device-Id` header)."""
    folder = Path(tempfile.mkdtemp())
    (folder / "tokens.txt").write_text("\n".join(tokens) + "\n")
    (folder / "attempt.lua").write_text(WRK_SCRIPT)
    port = 18_000 + os.getpid() % 1000
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

    def wrk(path: str, duration: int, run: str, devices: bool = False) -> dict[str, Any]:
        done = subprocess.run(
            ["wrk", "-t1", "-c64", f"-d{duration}s", "-s", str(folder / "attempt.lua"),
             base + path, "--", str(folder / "tokens.txt"), path, run, str(int(devices))],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
        found: dict[str, Any] = json.loads(line[4:])
        return found

    try:
        wait_up(base)
        yield wrk
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder)
