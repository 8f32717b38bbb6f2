"""The world the HTTP attack harness (bench/attacks.py) runs in: a fresh PostgreSQL
schema holding the example 双十一 campaign moved so that its 20:05 on 11-11 is now (the
20:00 flash sale open, the burst phase live), with the growth mechanics on (welcome and
invite red packets, coins, the lottery), the shops' goods stocked and the flash sale
behind the Redis gate; and `dacu serve` over it with Redis.

Setting up is the operator's part and goes through the services; everything the
customers and attackers do goes over HTTP. The harness plays the phones (it reads the
text messages the server sends) and the payment provider's customers (the simulated
provider pays and calls back by itself).
"""

import copy
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.local import free_port, wait_up
from dacu.adapters.db import database_url, make_engine, upgrade
from dacu.bootstrap import bootstrap
from dacu.domain.access import Role
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.goods import example_goods
from dacu.schemas.yamlfile import load_yaml
from dacu.services.simulation.growth import with_growth
from dacu.services.simulation.setup import flash_sale

DATABASE = os.environ.get("DACU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("DACU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
PLANNED_NOW = datetime(2026, 11, 11, 20, 5, tzinfo=SHANGHAI)
CAMPAIGN = "double11-2026"
STOCKED = 10**6
MERCHANT, BRUSHED_SHOP = "m-north", "north-wear"  # the brushing ring's merchant and shop


def moved(value: Any, by: timedelta) -> Any:
    """Every time in a campaign document moved by `by`."""
    if isinstance(value, datetime):
        return value + by
    if isinstance(value, dict):
        return {k: moved(v, by) for k, v in value.items()}
    if isinstance(value, list):
        return [moved(v, by) for v in value]
    return value


def campaign_document(now: datetime) -> dict[str, Any]:
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    return with_growth(moved(copy.deepcopy(document), now - PLANNED_NOW))


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A migrated, empty PostgreSQL schema of its own; dropped afterwards."""
    schema = f"attacks_{uuid.uuid4().hex[:10]}"
    admin = make_engine(DATABASE)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    raw = database_url(DATABASE).update_query_dict({"options": f"-csearch_path={schema}"})
    url = raw.render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare(url: str, redis_prefix: str, flash_stock: int, rules: Any = None) -> dict[str, Any]:
    """The campaign live now, its goods stocked, the flash sale open (on Redis); `rules`,
    a rules document, applied instead of the packaged defaults."""
    engine = make_engine(url)
    platform = bootstrap(engine, redis_url=REDIS, redis_prefix=redis_prefix)
    now = datetime.now(SHANGHAI)
    document = campaign_document(now)
    loaded, campaign = load_campaign(document)
    platform.campaigns.apply(loaded, campaign, "ops-attacks", now)
    for shop, skus in example_goods():
        platform.goods.open_shop(shop)
        platform.goods.put(skus)
        for sku in skus:
            platform.stock.set_stock(sku.id, STOCKED)
    found = flash_sale(campaign, flash_stock * 40)
    assert found is not None, "the example campaign has its 20:00 flash sale"
    sale, _ = found
    platform.flashsales.open(sale)
    if rules is not None:
        platform.risk_rules.apply(rules, "ops-attacks")
    merchant = platform.principals.issue(  # north-wear's own people sign in with this
        MERCHANT, Role.MERCHANT, frozenset({BRUSHED_SHOP}), now
    )
    engine.dispose()
    return {
        "document": document,
        "sale": sale.id,
        "sale_price": sale.price,
        "merchant_token": merchant,
    }


@contextmanager
def serving(url: str, redis_prefix: str, workers: int = 2) -> Iterator[str]:
    """`dacu serve` and `dacu workers` with Redis, the API on a free port, stopped
    afterwards; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DACU_")}
    env |= {
        "DACU_DATABASE_URL": url,
        "DACU_REDIS_URL": REDIS,
        "DACU_REDIS_PREFIX": redis_prefix,
        "DACU_PAYMENT_CALLBACK_URL": base,
        "FORWARDED_ALLOW_IPS": "127.0.0.1",  # the harness stands as the edge proxy
    }
    dacu = str(Path(sys.executable).with_name("dacu"))
    commands = [  # the API and the background workers (flash orders written, payouts, …)
        [dacu, "serve", "--workers", str(workers), "--port", str(port), "--no-access-log"],
        [dacu, "workers"],
    ]
    log = open(os.environ.get("ATTACKS_SERVER_LOG", os.devnull), "ab")  # noqa: SIM115
    started = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
        for command in commands
    ]
    try:
        wait_up(base, 90)
        yield base
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a worker deaf to SIGTERM under load
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        log.close()
