"""A paid 抢购 is a full order: the flash price payable, the cut funded as the sale says."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dacu.domain.errors import InvalidRule
from dacu.domain.flash_order import flash_order_id, full_order
from dacu.domain.flashsale import RESERVED, FlashOrder, FlashSale
from dacu.domain.orders import OrderStatus
from dacu.domain.pricing import Share

NOW = datetime(2026, 11, 11, 20, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
SALE = FlashSale(
    "fs-phone",
    "P-PHONE",
    NOW - timedelta(seconds=1),
    NOW + timedelta(hours=1),
    10,
    2,
    price=359900,
    pay_within=timedelta(minutes=10),
    campaign_id="double11-2026",
    platform_bp=3333,
)
HELD = FlashOrder("fs-phone", "r1", "1-0", "u1", 2, NOW, RESERVED, None, None)


def test_the_full_order_is_the_flash_price_with_the_cut_funded_by_the_sale():
    order = full_order(SALE, HELD, "digital-flagship", 399900)
    (line,) = order.lines
    assert (line.sku, line.shop, line.qty) == ("P-PHONE", "digital-flagship", 2)
    assert (line.list_amount, line.payable) == (799800, 719800)
    # the cut is 80,000 fen: a third of it the platform's (rounded half up), the rest the shop's
    assert line.discounts == (Share("fs-phone", 80000, 26664, 53336),)
    assert order.payable == 719800
    assert (order.customer_id, order.status) == ("u1", OrderStatus.PENDING)
    assert order.pay_by == NOW + timedelta(minutes=10)  # the hold's own time to pay


def test_a_list_price_at_or_under_the_flash_price_funds_nothing():
    (line,) = full_order(SALE, HELD, "digital-flagship", 300000).lines
    assert line.discounts == ()
    assert line.payable == line.list_amount == 719800


def test_one_hold_is_one_order_id_whoever_names_it():
    assert flash_order_id("fs-phone", "r1") == full_order(SALE, HELD, "s", 1).id
    assert flash_order_id("fs-phone", "r1") != flash_order_id("fs-phone", "r2")
    assert len(flash_order_id("x" * 128, "y" * 128)) <= 64


def test_the_platform_part_is_a_rate():
    with pytest.raises(InvalidRule) as refused:
        FlashSale("s", "k", NOW, NOW + timedelta(hours=1), 1, 1, platform_bp=10001)
    assert refused.value.field == "platform_bp"
