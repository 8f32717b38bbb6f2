"""A platform with a merchant-code campaign, shops, verified members and paid orders, for
the merchant rebate tests."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from dacu.adapters.campaign_store import SqlCampaignStore
from dacu.adapters.tables import customers, referrals
from dacu.bootstrap import Platform, bootstrap
from dacu.domain.goods import Shop, Sku
from dacu.domain.orders import Order
from dacu.schemas.campaigns import load_campaign

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 10, 12, 0, tzinfo=SHANGHAI)
CAMPAIGN = "launch-rebates"
PRICES = {"T-TEA": 3000, "T-CUP": 2999, "B-BOOK": 4000, "B-PEN": 1000}


def campaign_document(budget: int = 1_000_000, campaign_id: str = CAMPAIGN) -> dict[str, Any]:
    return {
        "id": campaign_id,
        "theme": "商家码返利",
        "owner": "ops-lihua",
        "status": "live",
        "phases": [
            {
                "name": "burst",
                "starts_at": "2026-09-01T00:00:00+08:00",
                "ends_at": "2026-09-30T23:59:59+08:00",
            }
        ],
        "budget": {"total": 100_000_000, "contingency_bp": 500},
        "growth": {
            "merchant_codes": {
                "new_member_rebate": 1000,
                "first_order_rebate": 100,
                "first_order_min": 3000,
                "budget": budget,
            }
        },
    }


def rebate_platform(engine: Engine, budget: int = 1_000_000, **options: Any) -> Platform:
    """A platform with the campaign applied and two shops: tea (30元, 29.99元) and books."""
    document, campaign = load_campaign(campaign_document(budget))
    SqlCampaignStore(engine).apply(document, campaign, "ops-lihua", NOW - timedelta(days=20))
    platform = bootstrap(engine, clock=lambda: NOW, **options)
    for shop, merchant in (("tea-house", "m-tea"), ("book-nook", "m-book")):
        platform.goods.open_shop(Shop(shop, merchant, shop))
    platform.goods.put(
        [
            Sku(sku, "tea-house" if sku.startswith("T") else "book-nook", "food.snacks", sku, p, 1)
            for sku, p in PRICES.items()
        ]
    )
    return platform


def member(
    engine: Engine,
    customer_id: str,
    *,
    verified: bool = True,
    shop: str | None = None,
    campaign_id: str = CAMPAIGN,
) -> str:
    """A registered member (verified unless told), who used `shop`'s merchant code if named."""
    with engine.begin() as connection:
        connection.execute(
            insert(customers).values(
                id=customer_id,
                phone=f"+86138{abs(hash(customer_id)) % 10**8:08d}",
                phone_verified=verified,
                registered_at=NOW - timedelta(days=1),
            )
        )
        if shop is not None:
            connection.execute(
                insert(referrals).values(
                    customer_id=customer_id,
                    kind="merchant",
                    referrer=shop,
                    campaign_id=campaign_id,
                    at=NOW - timedelta(days=1),
                )
            )
    return customer_id


def paid_order(
    platform: Platform, customer_id: str, items: list[tuple[str, int]], key: str, at=NOW
) -> Order:
    cart = platform.goods.cart(items)
    order = platform.orders.checkout(cart, platform.customers.facts(customer_id), key, at)
    return platform.orders.pay(order.id, at + timedelta(minutes=1))


def rows(engine: Engine, table) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(table)))
