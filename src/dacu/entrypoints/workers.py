"""`dacu workers`: order writers and the sweepers, as supervised processes.

Each process writes the orders checkout took in through Redis (the
checkouts stream's consumer group) and the lottery's draws (each campaign's draws
stream, the `lottery-writers` group), folds the event stream's batches into the
KPI rollups (the `kpi-writers` group: each event id counts once), follows
every sale's order stream in the writers' consumer group under a name of its
own (host and pid), and every `sweep_every`
seconds cancels unpaid orders past their time to pay (through the order
service), sweeps unpaid flash-sale holds, raises or clears stock alerts and
sends restock reminders (all conditional updates, so processes may overlap), and
delivers the outbox's facts to the KPI rollups (under leases, counted once); every
`settle_every` seconds it settles ended campaigns (statements issued, an alert for
any past its due day). The
supervisor starts a new process for any that dies; the newcomer, or any
other writer, takes over the dead one's pending entries once they have been
idle `idle_ms`. Without Redis there are no streams, and the processes only
sweep and watch.
"""

import multiprocessing
import signal
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing.process import BaseProcess
from types import FrameType
from zoneinfo import ZoneInfo

from dacu.adapters.db import make_engine
from dacu.bootstrap import bootstrap
from dacu.bootstrap_events import event_folder
from dacu.bootstrap_lottery import lottery_writer
from dacu.domain.flashsale import GateUnavailable


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    database_url: str
    redis_url: str | None
    prefix: str = "dacu"
    batch: int = 200
    idle_ms: int = 30_000
    sweep_every: float = 5.0
    timezone: str = "Asia/Shanghai"
    deliver_every: float = 1.0  # a look at the outbox when it was last found empty
    settle_every: float = 60.0  # ended campaigns settled, overdue statements alerted


def _stop_on_signal() -> threading.Event:
    """Set when SIGTERM or SIGINT arrives: loops finish their round, then stop."""
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopping


def work(config: WorkerConfig) -> None:
    """One worker process's loop, until SIGTERM or SIGINT."""
    stopping = _stop_on_signal()
    platform = bootstrap(
        make_engine(config.database_url),
        redis_url=config.redis_url,
        redis_prefix=config.prefix,
        timezone=config.timezone,
    )
    flash, zone = platform.flashsales, ZoneInfo(config.timezone)
    name = f"{socket.gethostname()}-{multiprocessing.current_process().pid}"
    writer = flash.order_writer(name, config.idle_ms)  # None without Redis: no streams
    checkouts = platform.checkout_writer(name, config.idle_ms)
    draws = lottery_writer(platform.engine, config.redis_url, config.prefix, name, config.idle_ms)
    folder = event_folder(platform, name, config.idle_ms)  # None without Redis: no stream
    outbox, next_sweep, next_delivery = platform.outbox(), 0.0, 0.0
    next_settle = 0.0
    while not stopping.is_set():
        written = 0
        try:
            if checkouts is not None:
                written += checkouts.run_once(config.batch)
            if draws is not None:
                written += draws.run_once(config.batch)
            if writer is not None:
                written += writer.write(config.batch)
            if folder is not None:
                written += folder.run_once()
            if time.monotonic() >= next_delivery:
                delivered = outbox.deliver_batch(datetime.now(zone))
                written += delivered
                next_delivery = 0.0 if delivered else time.monotonic() + config.deliver_every
            if time.monotonic() >= next_sweep:
                now = datetime.now(zone)
                platform.orders.expire_unpaid(now)
                platform.campaigns.end_finished("sweeper", now)  # campaigns end by time
                flash.sweep(now)
                flash.watch(now)
                platform.rewards.sweep(now)  # top-ups tried again, overdue prizes alerted
                flash.forget_rates(now - timedelta(minutes=1))
                if writer is not None:
                    writer.forget_gone()
                next_sweep = time.monotonic() + config.sweep_every
            if time.monotonic() >= next_settle:
                platform.settlement.sweep(datetime.now(zone))  # 结算: within the due days
                platform.risk_desk.backfill()  # 风控审核: what the services hold, queued
                next_settle = time.monotonic() + config.settle_every
        except GateUnavailable:
            time.sleep(1.0)  # Redis is away: nothing to write, nothing released; try again
        if not written:
            time.sleep(0.05)
    platform.close()


def supervise(config: WorkerConfig, processes: int, report: bool = True) -> None:
    """Run `processes` workers, replacing any that dies, until SIGTERM or SIGINT."""
    context = multiprocessing.get_context("spawn")
    stopping = _stop_on_signal()

    def start(slot: int) -> BaseProcess:
        process = context.Process(target=work, args=(config,), name=f"dacu-worker-{slot}")
        process.start()
        if report:
            print(f"worker {slot} started (pid {process.pid})", flush=True)
        return process

    running = [start(slot) for slot in range(processes)]
    while not stopping.is_set():
        time.sleep(0.2)
        for slot, process in enumerate(running):
            if not process.is_alive() and not stopping.is_set():
                if report:
                    print(f"worker {slot} died ({process.exitcode}); starting another", flush=True)
                running[slot] = start(slot)
    for process in running:
        process.terminate()
    for process in running:
        process.join(timeout=10)
