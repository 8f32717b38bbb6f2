"""Many processes, one festival: two `dacu serve` and two `dacu workers` processes on one
PostgreSQL and one Redis (a single server, and a Redis Cluster when
DACU_TEST_REDIS_CLUSTER_URL names one), stormed over HTTP through both APIs — coupon
claims, checkouts and payments, a flash sale grab, storefront events — while one API
process and one worker are killed -9 mid-storm. Clients send a request that met a broken connection
again, with the same Idempotency-Key, to the API left standing.

Then: nothing oversold (flash stock, coupon stock, a scarce SKU), every checkout a
client was answered 201 is exactly one order (a key sent again, the same order), every
payment started is settled once and its order paid, every event counted once in the
KPI rollups, the trial balance zero and the flash stock reconciled. Sizes:
DACU_STORM_FESTIVAL="shoppers,coupons,flash,scarce,event batches" (default below;
more shoppers than coupons and flash stock, so that both sell out).
"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dacu.adapters.principals import SqlPrincipals
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.services.outbox import LEASE
from tests.e2e.cli import clean_env, run_dacu
from tests.e2e.storm_checks import (
    flash_holds,
    log_tail,
    outbox_delivered,
    record,
    streams_drained,
    unsettled,
    until,
)
from tests.e2e.storm_rig import Storefronts, Tally, festival
from tests.e2e.storm_shoppers import (
    CAMPAIGN,
    COUPON,
    SALE,
    SCARCE,
    Seen,
    campaign_document,
    flash_sale,
    pay_again,
    shopper,
    storefront,
)
from tests.integration.conftest import (
    POSTGRES_URL,
    REDIS,
    REDIS_CLUSTER,
    REDIS_URL,
    postgres_engine,
    redis_keys,
    redis_url_of,
    stock_example_goods,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (POSTGRES_URL and REDIS_URL),
        reason="needs DACU_TEST_DATABASE_URL (PostgreSQL) and DACU_TEST_REDIS_URL (Redis): "
        "the processes share them",
    ),
]

SHOPPERS, COUPONS, FLASH, SCARCE_STOCK, BATCHES = (
    int(n) for n in os.environ.get("DACU_STORM_FESTIVAL", "100,60,40,30,20").split(",")
)
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("redis_kind", [REDIS, REDIS_CLUSTER])
def test_a_festival_survives_an_api_and_a_worker_killed_mid_storm(
    redis_kind: str, tmp_path: Path
) -> None:
    redis_url = redis_url_of(redis_kind)
    with postgres_engine() as engine, redis_keys(redis_url) as (client, prefix):
        # given: the campaign live, its coupon, a flash sale and a scarce SKU
        platform = bootstrap(engine, redis_url=redis_url, redis_prefix=prefix)
        stock_example_goods(platform)
        platform.stock.set_stock(SCARCE, SCARCE_STOCK)
        now = datetime.now(ZONE)
        principals = SqlPrincipals(engine)
        ops = principals.issue("ops", Role.OPERATOR, frozenset(), now)
        front = principals.issue("front", Role.STOREFRONT, frozenset(), now)
        tokens = [
            principals.issue(f"shopper-{n}", Role.CONSUMER, frozenset(), now)
            for n in range(SHOPPERS)
        ]
        url = engine.url.render_as_string(hide_password=False)
        env = clean_env(
            DACU_DATABASE_URL=url, DACU_REDIS_URL=redis_url or "", DACU_REDIS_PREFIX=prefix
        )
        tally, seen = Tally(), Seen()
        with festival(env, tmp_path) as running, closing(Storefronts(running.apis, tally)) as web:
            staff = {"Authorization": f"Bearer {ops}"}
            document = campaign_document(now, COUPONS)
            put = web.send("setup", "PUT", f"/v1/campaigns/{CAMPAIGN}", staff, document)
            assert put.status_code in (200, 201), put.text
            sale = web.send("setup", "POST", "/v1/flash-sales", staff, flash_sale(now, FLASH))
            assert sale.status_code == 201, sale.text

            # when: the storm, and one API process and one worker killed -9 in its midst
            started = time.monotonic()
            done = _storm(web, seen, tokens, front, kill=lambda: _kill(running))
            storm_s = time.monotonic() - started
            assert not running.alive("api0")
            assert not running.alive("worker0")
            assert running.alive("api1")
            assert running.alive("worker1")

            # then: the survivors write and deliver everything
            drained_s = until(lambda: streams_drained(client, prefix), 90, "streams written")
            settled_s = until(
                lambda: _settled(web, seen, engine),
                60,
                "payments settled",
                lambda: unsettled(engine, set(seen.payments)),
                pause=2,
            )
            # a flash order paid after its shopper went to pay again: the sweep settles it
            until(
                lambda: platform.flashsales.stock_view(SALE).paid == len(seen.flash_orders),
                30,
                "flash holds of paid orders settled",
                lambda: (
                    f"gate paid {platform.flashsales.stock_view(SALE).paid}",
                    f"answered {len(seen.flash_orders)}",
                    flash_holds(engine, SALE),
                    log_tail(tmp_path / "worker1.log"),
                ),
            )
            # a fact leased by the killed processes waits for its lease to run out; the
            # outbox hands its events to the stream, whose writers fold them after
            wait = LEASE.total_seconds() + 30
            delivered_s = until(
                lambda: outbox_delivered(engine) and streams_drained(client, prefix),
                wait,
                "outbox delivered and its events folded",
            )
        _check_the_record(engine, platform, seen, done)
        _check_the_kpis(platform, seen, engine)
        _check_reconciled(env)
        platform.close()
    print(
        f"\nstorm on {redis_kind}: {SHOPPERS} shoppers in {storm_s:.1f} s, "
        f"drained {drained_s} s later, "
        f"payments settled {settled_s} s later ({seen.paid_again} paid again), "
        f"the outbox delivered {delivered_s} s after that; "
        f"answers {tally.statuses}; retried after a broken connection {tally.retried}; "
        f"refused {seen.refused}"
    )


def _settled(web: Storefronts, seen: Seen, engine) -> bool:
    """Every payment started has succeeded; those still waiting are gone to pay again."""
    waiting = list(unsettled(engine, set(seen.payments)))
    pay_again(web, seen, waiting)
    return not waiting


def _kill(running) -> None:
    running.kill("api0")
    running.kill("worker0")


def _storm(web: Storefronts, seen: Seen, tokens: list[str], front: str, kill) -> int:
    """Every shopper's steps on 12 threads and the storefront's batches beside them; the
    kill when a third of the shoppers are through. Returns the shoppers done."""
    finished = [0]
    lock = threading.Lock()
    killed = threading.Event()

    def one(n: int) -> None:
        shopper(web, seen, n, tokens[n])
        with lock:
            finished[0] += 1
            due = finished[0] >= len(tokens) // 3 and not killed.is_set()
            if due:
                killed.set()
        if due:
            kill()

    with ThreadPoolExecutor(max_workers=12) as pool:
        events = pool.submit(storefront, web, seen, front, BATCHES, 250)
        list(pool.map(one, range(len(tokens))))
        events.result()
    assert killed.is_set()
    return finished[0]


EXPECTED_REFUSALS = {"checkout:sold_out", "flash:sold_out", "claim:out_of_stock"}


def _check_the_record(engine, platform, seen: Seen, done: int) -> None:
    assert done == SHOPPERS
    # nobody refused but for stock: no 5xx, no risk block, nothing pending for ever
    assert set(seen.refused) <= EXPECTED_REFUSALS, seen.refused
    found = record(engine, platform, COUPON)
    # every 201 checkout is exactly one order; a key sent again named the same order
    assert not seen.replays_differing
    assert len(found.order_ids) == len(set(found.order_ids))
    answered = set(seen.orders.values()) | set(seen.flash_orders.values())
    assert set(found.order_ids) == answered
    # nothing oversold: the scarce SKU, the coupon, the flash sale
    assert found.units.get(SCARCE, 0) <= SCARCE_STOCK
    assert seen.refused.get("checkout:sold_out", 0) > 0, "the scarce SKU never sold out"
    assert found.issued == found.coupon_rows == len(set(seen.claims.values())) == COUPONS
    assert len(seen.flash_orders) == FLASH  # more shoppers than stock: all of it, no more
    # every payment started settled once, its order paid, nothing paid twice
    assert set(found.paid) == set(seen.payments.values())
    assert all(len(ids) == 1 for ids in found.succeeded.values()), found.succeeded
    stock = platform.flashsales.stock_view(SALE)
    assert stock.on_sale + stock.held + stock.paid == FLASH
    assert stock.paid == len(seen.flash_orders)


def _check_the_kpis(platform, seen: Seen, engine) -> None:
    totals = platform.kpis.totals(CAMPAIGN)
    found = record(engine, platform, COUPON)
    assert totals.pv == len(seen.events.get("page_view", ()))
    assert totals.sku_views == len(seen.events.get("sku_view", ()))
    assert totals.carts == len(seen.events.get("add_to_cart", ()))
    assert totals.orders == len(found.order_ids)
    assert totals.payments == len(found.paid)
    assert totals.gmv == sum(found.paid.values())
    assert totals.coupon_claims == found.issued


def _check_reconciled(env: dict[str, str]) -> None:
    balance = run_dacu("ledger", "trial-balance", env=env)
    assert balance.returncode == 0, balance.stdout + balance.stderr
    stock = run_dacu("stock", "reconcile", SALE, env=env)
    assert stock.returncode == 0, stock.stdout + stock.stderr
