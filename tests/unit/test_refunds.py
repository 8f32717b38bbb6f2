"""Partial refunds give back exactly what the lines paid and claw back exactly each share."""

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dacu.domain.errors import InvalidRule
from dacu.domain.orders import OrderStateError, OrderStatus, order_from_quote, refund_units
from dacu.domain.pricing import price
from tests.unit.builders import CUSTOMER, NOW, carts, promotions, wallets


def paid(order):
    return replace(order, status=OrderStatus.PAID)


@given(
    cart=carts(),
    promos=promotions(),
    wallet=wallets(),
    chunks=st.lists(st.integers(1, 4), min_size=1, max_size=12),
)
def test_refunding_every_unit_in_any_chunks_gives_back_exactly_the_order(
    cart, promos, wallet, chunks
):
    quote = price(cart, CUSTOMER, promos, wallet, NOW)
    order = paid(order_from_quote("o1", "u1", quote, NOW, timedelta(minutes=15)))
    refunded_money = 0
    clawed: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in order.lines:
        left, turn = line.qty, 0
        while left:
            qty = min(left, chunks[turn % len(chunks)])
            refund = refund_units(order, line.sku, qty)
            refunded_money += refund.amount
            for share in refund.clawbacks:
                assert share.platform + share.merchant == share.amount
                totals = clawed[f"{line.sku}/{share.id}"]
                totals[0] += share.amount
                totals[1] += share.platform
                totals[2] += share.merchant
            order = replace(order, refunded={**order.refunded, line.sku: line.qty - left + qty})
            left -= qty
            turn += 1
    assert refunded_money == quote.payable
    for line in order.lines:
        for share in line.discounts:
            assert clawed[f"{line.sku}/{share.id}"] == [
                share.amount,
                share.platform,
                share.merchant,
            ]
    assert order.fully_refunded


def test_only_paid_orders_refund_and_never_more_than_was_bought():
    from tests.unit.builders import cart, line

    quote = price(cart(line("A", 1000, qty=2)), CUSTOMER, [], [], NOW)
    order = order_from_quote("o1", "u1", quote, NOW, timedelta(minutes=15))
    with pytest.raises(OrderStateError):
        refund_units(order, "A", 1)
    with pytest.raises(InvalidRule, match="qty"):
        refund_units(paid(order), "A", 3)
