"""A platform with the example campaign (its settlement section: logistics subsidy and
ad rebate), the example shops and SKUs (with size classes), members, paid orders, a
clock the test moves, and tokens: for the shipment, ad-spend and penalty tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, insert

from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.tables import customers
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.access import Role
from dacu.domain.orders import Order
from dacu.entrypoints.api import create_app
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml
from tests.integration.conftest import stock_example_goods
from tests.integration.http import serving

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAID = datetime(2026, 11, 11, 10, 0, tzinfo=SHANGHAI)
CAMPAIGN = "double11-2026"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def example_document() -> dict[str, Any]:
    text = resources.files("dacu").joinpath("examples/double11.yaml").read_text("utf-8")
    data: dict[str, Any] = load_yaml(text)
    return data


def shipping_platform(engine: Engine, clock: Clock) -> Platform:
    document, campaign = load_campaign(example_document())
    SqlCampaignStore(engine).apply(document, campaign, "ops-lihua", PAID - timedelta(days=10))
    platform = bootstrap(engine, clock=clock)
    stock_example_goods(platform)
    return platform


def member(engine: Engine, customer_id: str) -> str:
    with engine.begin() as connection:
        connection.execute(
            insert(customers).values(
                id=customer_id,
                phone=f"+86139{abs(hash(customer_id)) % 10**8:08d}",
                phone_verified=True,
                registered_at=PAID - timedelta(days=30),
            )
        )
    return customer_id


def paid_order(
    platform: Platform, engine: Engine, customer: str, items: list[tuple[str, int]], key: str
) -> Order:
    member(engine, customer)
    cart = platform.goods.cart(items)
    facts = platform.customers.facts(customer)
    order = platform.orders.checkout(cart, facts, key, PAID - timedelta(minutes=5))
    return platform.orders.pay(order.id, PAID)


TOKENS = {
    "ops": ("ops", Role.OPERATOR),
    "fin": ("fin", Role.FINANCE),
    "risk": ("risk", Role.RISK),
    "home": ("m-home", Role.MERCHANT),
    "north": ("m-north", Role.MERCHANT),
    "digital": ("m-digital", Role.MERCHANT),
}


@contextmanager
def served(platform: Platform) -> Iterator[Any]:
    """call(who, method, path, json=…, key=…, params=…) over a real server."""
    tokens = {
        name: platform.principals.issue(subject, role, frozenset(), PAID)
        for name, (subject, role) in TOKENS.items()
    }
    with serving(create_app(platform)) as base, httpx.Client(base_url=base) as client:

        def call(who: str, method: str, path: str, key: str | None = None, **options: Any):
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            if key is not None:
                headers["Idempotency-Key"] = key
            return client.request(method, path, headers=headers, **options)

        yield call
