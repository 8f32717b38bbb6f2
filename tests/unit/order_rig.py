"""The order and coupon services over in-memory fakes, for millisecond unit tests."""

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dacu.domain.cart import Cart, CartLine, Customer
from dacu.domain.coupons import CouponTemplate, Validity
from dacu.domain.rules import Level, Window
from dacu.domain.wallet import WalletKind
from dacu.services.coupons import CouponService
from dacu.services.intake import DirectIntake
from dacu.services.orders import OrderService
from tests.fakes import FakeCouponStore, FakePricing, FakeShop, FakeStock, FakeUnitOfWork

NOW = datetime(2026, 11, 11, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LATE = NOW + timedelta(hours=1)  # past every order's time to pay
BUYER = Customer("u1", phone_verified=True)
COAT = CartLine("COAT", "north-wear", 45900, 3, "apparel")
PHONE = CartLine("PHONE", "digital", 399900, 1, "digital")
CART = Cart((COAT, PHONE))


def template(**overrides: object) -> CouponTemplate:
    fields: dict[str, object] = {
        "id": "t-300-30",
        "name": "满300减30",
        "kind": WalletKind.COUPON,
        "level": Level.PLATFORM,
        "threshold": 30000,
        "off": 3000,
        "total_stock": 3,
        "per_user_limit": 1,
        "validity": Validity(days=7),
        "claim_window": Window(NOW - timedelta(days=1), NOW + timedelta(days=3)),
    } | overrides
    return CouponTemplate(**fields)  # type: ignore[arg-type]


@dataclass
class Rig:
    shop: FakeShop
    store: FakeCouponStore
    stock: FakeStock
    pricing: FakePricing
    orders: OrderService
    coupons: CouponService


def rig() -> Rig:
    shop = FakeShop()
    store = FakeCouponStore(shop)
    stock, pricing = FakeStock(), FakePricing(store)
    ids = itertools.count()

    def new_id() -> str:
        return f"id-{next(ids)}"

    def uow() -> FakeUnitOfWork:
        return FakeUnitOfWork(shop)

    orders = OrderService(uow, DirectIntake(uow, stock), pricing, lambda: NOW, new_id)
    coupons = CouponService(store, store, uow, lambda: NOW, new_id)
    coupons.add_template(template(), NOW - timedelta(days=1))
    return Rig(shop, store, stock, pricing, orders, coupons)
