"""Orders (订单): a quote locked at checkout, paid, cancelled, refunded line by line.

Refunds claw back exactly the refunded units' share of every discount and of
its funding. Shares are taken cumulatively — after `r` of `n` units, a line
has given back `floor(total * r / n)` of each total — so partial refunds add
up to the whole, to the fen, when the last unit comes back.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from dacu.domain.budgets import draws
from dacu.domain.coupons import CouponStatus
from dacu.domain.errors import (
    ConcurrentChange,
    DomainError,
    ErrorCode,
    InvalidRule,
    NotFound,
    StateError,
)
from dacu.domain.pricing import PriceResult, Share
from dacu.domain.types import Fen


class OrderStatus(StrEnum):
    PENDING = "pending_payment"
    PAID = "paid"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"  # every unit given back


# What an order's coupons become when the order enters each state. A cancelled
# (or expired) order gives its coupons back; so does one refunded whole.
COUPONS_FOLLOW: Mapping[OrderStatus, CouponStatus] = {
    OrderStatus.PENDING: CouponStatus.LOCKED,
    OrderStatus.PAID: CouponStatus.REDEEMED,
    OrderStatus.CANCELLED: CouponStatus.HELD,
    OrderStatus.REFUNDED: CouponStatus.HELD,
}


class OrderStateError(StateError):
    """The order is not in a state that allows this."""

    code = ErrorCode.ORDER_STATE


class UnknownOrder(NotFound):
    """No order has that id (for this customer)."""

    code = ErrorCode.UNKNOWN_ORDER
    noun = "order"


class SoldOut(DomainError):
    """Not enough stock left for a line of the order."""

    code = ErrorCode.SOLD_OUT


class FirstOrderTaken(ConcurrentChange):
    """Priced for the customer's first order, but another order of theirs came first."""


class PurchaseLimitReached(ConcurrentChange):
    """每人限购: with the customer's other orders not cancelled, a line passes its limit."""

    def __init__(self, sku: str, limit: int) -> None:
        super().__init__(f"at most {limit} of {sku} a customer, counting orders not cancelled")
        self.sku, self.limit = sku, limit


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    shop: str
    qty: int
    list_amount: Fen
    payable: Fen
    discounts: tuple[Share, ...]


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    customer_id: str
    lines: tuple[OrderLine, ...]
    coupons: tuple[str, ...]
    status: OrderStatus
    created_at: datetime
    pay_by: datetime
    refunded: Mapping[str, int] = field(default_factory=dict)  # units given back, by SKU
    version: int = 0  # the stored row's version (0 before it is first stored)
    funders: Mapping[str, str] = field(default_factory=dict)  # rule → campaign budget
    drawn: Mapping[str, Fen] = field(default_factory=dict)  # from each capped budget
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # rule → its lines
    # What the price stands on, held by the intake as it takes the order in: priced for
    # a customer before their first order, and 每人限购 (SKU → most units the customer's
    # orders not cancelled may hold, this one's included).
    first_order: bool = False
    limits: Mapping[str, int] = field(default_factory=dict)

    def units(self) -> dict[str, int]:
        """Units of each SKU the order holds."""
        held: dict[str, int] = {}
        for line in self.lines:
            held[line.sku] = held.get(line.sku, 0) + line.qty
        return held

    def over_limit(self, held: Mapping[str, int]) -> PurchaseLimitReached | None:
        """Whether, with `held` units in the customer's other orders not cancelled, a
        SKU of this order passes its limit (the first such SKU, by name), else None."""
        units = self.units()
        for sku, limit in sorted(self.limits.items()):
            if held.get(sku, 0) + units.get(sku, 0) > limit:
                return PurchaseLimitReached(sku, limit)
        return None

    def draws(self) -> dict[str, Fen]:
        """The platform's shares of this order, per campaign budget funding them."""
        shares = (share for line in self.lines for share in line.discounts)
        return draws(shares, self.funders, self.levels)

    def given_back(self, refund: "Refund") -> dict[str, Fen]:
        """What a refund gives back to the budgets this order drew from."""
        back = draws(refund.clawbacks, self.funders, self.levels)
        return {c: amount for c, amount in back.items() if c in self.drawn}

    @property
    def payable(self) -> Fen:
        return sum(line.payable for line in self.lines)

    def line(self, sku: str) -> OrderLine:
        for line in self.lines:
            if line.sku == sku:
                return line
        raise InvalidRule("sku", f"order {self.id} has no line {sku}")

    @property
    def fully_refunded(self) -> bool:
        return all(self.refunded.get(line.sku, 0) == line.qty for line in self.lines)

    @property
    def coupon_status(self) -> CouponStatus:
        """What the coupons this order used are while it is in its state."""
        return COUPONS_FOLLOW[self.status]

    def pay(self, now: datetime) -> "Order":
        """Paid, within its time to pay; paying a paid order again changes nothing."""
        if self.status is OrderStatus.PAID:
            return self
        if self.status is not OrderStatus.PENDING or now > self.pay_by:
            raise OrderStateError(f"order {self.id} is {self.status}; it cannot be paid")
        return replace(self, status=OrderStatus.PAID)

    def cancel(self, now: datetime) -> "Order":
        """Cancelled by the customer before paying; cancelling twice changes nothing."""
        if self.status is OrderStatus.CANCELLED:
            return self
        if self.status is not OrderStatus.PENDING:
            raise OrderStateError(f"order {self.id} is {self.status}; only unpaid cancel")
        return replace(self, status=OrderStatus.CANCELLED)

    def expire(self, now: datetime) -> "Order":
        """Cancelled by the sweeper: still unpaid once its time to pay has run out."""
        if self.status is not OrderStatus.PENDING or now <= self.pay_by:
            raise OrderStateError(f"order {self.id} is {self.status} until {self.pay_by}")
        return replace(self, status=OrderStatus.CANCELLED)

    def refund(self, sku: str, qty: int) -> "tuple[Order, Refund]":
        """`qty` more units of `sku` given back: the order after, and the money and clawbacks."""
        refund = refund_units(self, sku, qty)
        refunded = {**self.refunded, sku: self.refunded.get(sku, 0) + qty}
        after = replace(self, refunded=refunded)
        if after.fully_refunded:
            after = replace(after, status=OrderStatus.REFUNDED)
        return after, refund


def order_from_quote(
    order_id: str,
    customer_id: str,
    quote: PriceResult,
    now: datetime,
    pay_within: timedelta,
    *,
    first_order: bool = False,
    limits: Mapping[str, int] | None = None,
) -> Order:
    """The order checkout creates: the quote's lines and shares, locked as they are.

    `first_order`: the quote was priced for a customer before their first order (新人首单
    applies, coupons barred from first orders do not) — a price that stands only while
    no other order of theirs comes first. `limits`: the 每人限购 of the cart's SKUs."""
    return Order(
        id=order_id,
        customer_id=customer_id,
        lines=tuple(
            OrderLine(
                line.sku,
                line.shop,
                line.qty,
                line.list_amount,
                line.payable,
                line.discounts,
            )
            for line in quote.lines
        ),
        coupons=quote.used,
        status=OrderStatus.PENDING,
        created_at=now,
        pay_by=now + pay_within,
        funders=dict(quote.budgets),
        levels={rule: tuple(lines) for rule, lines in quote.levels.items() if lines},
        first_order=first_order,
        limits=dict(limits or {}),
    )


@dataclass(frozen=True, slots=True)
class Refund:
    """Money back for `qty` units of one line, and what each discount's funders take back."""

    sku: str
    shop: str
    qty: int
    amount: Fen
    clawbacks: tuple[Share, ...]


def refund_units(order: Order, sku: str, qty: int) -> Refund:
    """The refund of `qty` more units of `sku`, given what was refunded before."""
    if order.status is not OrderStatus.PAID:
        raise OrderStateError(f"order {order.id} is {order.status}; only paid orders refund")
    line = order.line(sku)
    before = order.refunded.get(sku, 0)
    if qty < 1 or before + qty > line.qty:
        raise InvalidRule(
            "qty", f"between 1 and {line.qty - before} units of {sku} may be refunded"
        )
    after = before + qty

    def part(total: Fen) -> Fen:
        return total * after // line.qty - total * before // line.qty

    clawbacks = []
    for share in line.discounts:
        amount, platform = part(share.amount), part(share.platform)
        clawbacks.append(Share(share.id, amount, platform, amount - platform))
    return Refund(sku, line.shop, qty, part(line.payable), tuple(clawbacks))
