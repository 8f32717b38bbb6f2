"""The processes of one festival and the clients that storm them.

Two `dacu serve` processes and two `dacu workers` processes on one PostgreSQL
schema and one Redis prefix, each in a process group of its own so that it can
be killed -9 whole. Clients talk HTTP to both APIs as a phone behind a load
balancer does: a request that meets a broken or refused connection is sent
again, with the same Idempotency-Key or request id, to the other API.
"""

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
DACU = str(Path(sys.executable).with_name("dacu"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Festival:
    """The processes: `apis` (base URLs) and `workers`, started and stopped together."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.ports = [free_port(), free_port()]
        self.apis = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        with (self.log_dir / f"{name}.log").open("ab") as log:  # the child keeps its own
            self.processes[name] = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
            )

    def start_api(self, index: int) -> None:
        # the provider calls back through the last API: the one left standing
        env = self.env | {"DACU_PAYMENT_CALLBACK_URL": self.apis[-1]}
        port = str(self.ports[index])
        self._start(f"api{index}", [DACU, "serve", "--port", port, "--no-access-log"], env)

    def start_worker(self, index: int) -> None:
        command = [DACU, "workers", "--processes", "1", "--batch", "50", "--idle-ms", "1000"]
        self._start(f"worker{index}", command, self.env)

    def kill(self, name: str) -> None:
        """SIGKILL to the process group: the process and any child, with no goodbye."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def wait_up(self) -> None:
        deadline = time.monotonic() + 90
        for base in self.apis:
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).is_success:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{base} did not start"
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def festival(env: dict[str, str], log_dir: Path) -> Iterator[Festival]:
    running = Festival(env, log_dir)
    try:
        for index in (0, 1):
            running.start_api(index)
        for index in (0, 1):
            running.start_worker(index)
        running.wait_up()
        yield running
    finally:
        running.stop()


@dataclass
class Tally:
    """What the clients were answered, kept across threads."""

    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    retried: int = 0  # requests sent again after a broken connection
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str, status: int) -> None:
        with self.lock:
            by_status = self.statuses.setdefault(what, {})
            by_status[status] = by_status.get(status, 0) + 1

    def retry(self) -> None:
        with self.lock:
            self.retried += 1


class Storefronts:
    """HTTP to both APIs in turn; on a broken connection the same request to the next."""

    def __init__(self, apis: list[str], tally: Tally) -> None:
        self.apis, self.tally = apis, tally
        self._turn = itertools.count()
        self._http = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=64))

    def send(
        self, what: str, method: str, path: str, headers: dict[str, str], body: Any = None
    ) -> httpx.Response:
        first = next(self._turn)
        for attempt in range(40):
            base = self.apis[(first + attempt) % len(self.apis)]
            try:
                answer = self._http.request(method, base + path, headers=headers, json=body)
            except httpx.TransportError:
                self.tally.retry()
                time.sleep(0.05)
                continue
            self.tally.count(what, answer.status_code)
            return answer
        raise AssertionError(f"{method} {path}: no API answered")

    def close(self) -> None:
        self._http.close()
