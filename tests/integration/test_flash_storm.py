"""A 整点 storm on real Redis and PostgreSQL, with `dacu workers` killed -9 mid-run.

20,000 attempts from 5,000 buyers on 1,000 units, 2 each at most (other
numbers: DACU_STORM="attempts,buyers,units,limit"). Exactly the stock is
sold, nobody passes the limit, and every accepted attempt ends as exactly one
order although one writer process is killed -9 while writing and then the
whole worker group is killed -9 and started again.
"""

import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dacu.adapters.flash_store import SqlFlashStore
from dacu.adapters.order_writer import GROUP
from dacu.adapters.redis_gate import RedisStockGate
from dacu.adapters.redis_scripts import stream_key
from dacu.adapters.tables import flash_orders
from dacu.bootstrap import bootstrap
from dacu.domain.flashsale import Decision, FlashSale, Outcome
from tests.integration.conftest import (
    POSTGRES_URL,
    REDIS,
    REDIS_CLUSTER,
    postgres_engine,
    redis_keys,
    redis_url_of,
)
from tests.integration.flash_campaign import live_campaign

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs DACU_TEST_DATABASE_URL"),
]

ATTEMPTS, BUYERS, UNITS, LIMIT = (
    int(n) for n in os.environ.get("DACU_STORM", "20000,5000,1000,2").split(",")
)
DACU = str(Path(sys.executable).with_name("dacu"))


def start_workers(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [DACU, "workers", "--processes", "2", "--batch", "5", "--idle-ms", "500"],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, to kill it whole
    )


def children(pid: int, want: int, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if len(found) >= want:
            return [int(child) for child in found]
        time.sleep(0.05)
    raise AssertionError("the workers did not start")


@pytest.mark.parametrize("redis_kind", [REDIS, REDIS_CLUSTER])
def test_a_storm_sells_exactly_the_stock_and_every_accepted_attempt_is_one_order(redis_kind):
    url = redis_url_of(redis_kind)
    assert url is not None
    with postgres_engine() as engine, redis_keys(url) as (client, prefix):
        platform = bootstrap(engine, redis_url=url, redis_prefix=prefix)
        flash = platform.flashsales
        gate = RedisStockGate(client, prefix)  # the storm comes pipelined, straight at the gate
        now = datetime.now(ZoneInfo("Asia/Shanghai"))  # the workers sweep on the wall clock
        sale = FlashSale(
            "fs-storm",
            "P-PHONE",
            now,
            now + timedelta(hours=1),
            UNITS,
            LIMIT,
            user_rate=100,
            campaign_id=live_campaign(platform),
        )
        flash.open(sale)
        env = os.environ | {
            "DACU_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "DACU_REDIS_URL": url,
            "DACU_REDIS_PREFIX": prefix,
        }
        workers = start_workers(env)
        try:
            children(workers.pid, 2)
            # when: the storm, while one writer is killed -9, then every worker, then restarted
            rng = random.Random(11)
            tries = [(f"u{rng.randrange(BUYERS)}", f"r{i}", 1) for i in range(ATTEMPTS)]
            batches = [tries[i : i + 25] for i in range(0, ATTEMPTS, 25)]
            with ThreadPoolExecutor(max_workers=8) as pool:
                decided = pool.map(lambda b: gate.attempt_many("fs-storm", b, now), batches)
                decisions: list[Decision] = [d for batch in decided for d in batch]

            def written() -> int:
                with engine.connect() as connection:
                    return int(connection.scalar(select(func.count()).select_from(flash_orders)))

            first_kill = _when(lambda: written() >= UNITS // 20)
            os.kill(children(workers.pid, 2)[0], signal.SIGKILL)
            at_first_kill = written()
            second_kill = _when(lambda: written() >= UNITS // 2)
            os.killpg(workers.pid, signal.SIGKILL)
            workers.wait()
            at_second_kill = written()
            workers = start_workers(env)
            assert _when(lambda: written() >= UNITS, timeout=60), f"only {written()} written"
        finally:
            os.killpg(workers.pid, signal.SIGTERM)
            workers.wait(timeout=30)
        # then: exactly the stock sold, nobody over the limit
        accepted = {
            t[1]: d.reservation for t, d in zip(tries, decisions, strict=True) if d.accepted
        }
        assert len(accepted) == UNITS
        assert gate.remaining("fs-storm") == 0
        assert {d.outcome for d in decisions} <= {
            Outcome.ACCEPTED,
            Outcome.SOLD_OUT,
            Outcome.OVER_LIMIT,
        }
        assert max(gate.buyers("fs-storm").values()) <= LIMIT
        # every accepted attempt is exactly one order, from its own stream entry
        orders = SqlFlashStore(engine).orders("fs-storm")
        assert len(orders) == UNITS
        assert {o.request_id: o.entry for o in orders} == accepted
        per_buyer: dict[str, int] = {}
        for order in orders:
            per_buyer[order.user_id] = per_buyer.get(order.user_id, 0) + order.qty
        assert max(per_buyer.values()) <= LIMIT
        assert client.xpending(stream_key(prefix, "fs-storm"), GROUP)["pending"] == 0
        report, _ = flash.reconcile("fs-storm")
        assert report.clean, report.differences
        # and the kills landed mid-run
        assert first_kill
        assert second_kill
        assert 0 < at_first_kill < UNITS
        assert at_first_kill <= at_second_kill < UNITS


def _when(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False
