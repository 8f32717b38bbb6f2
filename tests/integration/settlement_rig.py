"""A small simulated double11 festival for the settlement tests: orders paid at several
shops, partial and whole refunds, and a clock the tests move past the campaign's end."""

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from dacu.bootstrap import Platform, bootstrap
from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.orders import Order, Refund
from dacu.schemas.campaigns import load_campaign
from dacu.schemas.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
CAMPAIGN = "double11-2026"
WARM_UP = datetime(2026, 11, 9, 10, 0, tzinfo=SHANGHAI)
BURST = datetime(2026, 11, 11, 20, 5, tzinfo=SHANGHAI)
AFTER = datetime(2026, 11, 14, 9, 0, tzinfo=SHANGHAI)  # the campaign ended the 13th

CARTS = (
    Cart(
        (
            CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),
            CartLine("A-COAT", "north-wear", 45900, 3, "apparel"),
            CartLine("A-SCARF", "north-wear", 12900, 2, "apparel"),
        )
    ),
    Cart((CartLine("A-COAT", "north-wear", 45900, 2, "apparel"),)),
    Cart((CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),)),
    Cart(
        (
            CartLine("A-SCARF", "north-wear", 12900, 3, "apparel"),
            CartLine("P-PHONE", "digital-flagship", 399900, 1, "digital"),
        )
    ),
)


@dataclass
class Clock:
    now: datetime = WARM_UP

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Festival:
    platform: Platform
    clock: Clock
    orders: list[Order] = field(default_factory=list)
    refunds: list[tuple[Order, Refund]] = field(default_factory=list)

    def refund(self, order: Order, sku: str, qty: int, key: str) -> Refund:
        refund = self.platform.orders.refund(order.id, sku, qty, key, self.clock.now, key)
        self.refunds.append((order, refund))
        return refund


def festival(engine: Engine) -> Festival:
    counter, lock = itertools.count(), threading.Lock()

    def new_id() -> str:
        with lock:
            return f"id-{next(counter)}"

    clock = Clock()
    platform = bootstrap(engine, ids=new_id, clock=clock)
    document = load_yaml((ROOT / "examples/double11.yaml").read_text(encoding="utf-8"))
    platform.campaigns.apply(
        *load_campaign(json.loads(json.dumps(document, default=str))), "ops", WARM_UP
    )
    return Festival(platform, clock)


def shop_and_pay(world: Festival) -> None:
    """Four buyers pay; one coat comes back, then a whole order, then one of two."""
    world.clock.now = BURST
    for n, cart in enumerate(CARTS):
        order = world.platform.orders.checkout(cart, Customer(f"u-{n}", True), f"k{n}", BURST)
        world.orders.append(world.platform.orders.pay(order.id, BURST + timedelta(minutes=1)))
    first, second, third, _ = world.orders
    world.refund(first, "A-COAT", 1, "rf-1")
    world.refund(second, "A-COAT", 2, "rf-2")  # the whole order
    world.refund(third, "P-PHONE", 1, "rf-3")  # the whole order


def owed_by_shop(world: Festival) -> dict[str, int]:
    """What each shop is owed, from the order documents' shares and the refunds'
    clawbacks alone: the platform's shares funded by the campaign, net."""
    owed: dict[str, int] = {}
    for order in world.orders:
        for line in order.lines:
            for share in line.discounts:
                if order.funders.get(share.id) == CAMPAIGN:
                    owed[line.shop] = owed.get(line.shop, 0) + share.platform
    for order, refund in world.refunds:
        for share in refund.clawbacks:
            if order.funders.get(share.id) == CAMPAIGN:
                owed[refund.shop] = owed.get(refund.shop, 0) - share.platform
    return owed
