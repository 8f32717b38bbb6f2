"""What the server did that the KPIs count, written in the same transaction as the deed.

A `Fact` is a registration, a coupon claim, an order placed, paid, cancelled
or refunded, kept in the outbox until a worker turns it into the KPI events of
the campaigns it belongs to. Its `key` is unique per deed, so a deed written
twice (a batch written again, a retried request) is one fact, and the events
made from it carry ids derived from that key: delivered twice, counted once.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from dacu.domain.events import Channel, Event, EventKind, Line, Segment
from dacu.domain.orders import Order, Refund
from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class Fact:
    key: str  # unique per deed: "order:{id}:paid", "coupon:{id}:claimed" …
    kind: EventKind
    customer_id: str
    at: datetime
    placed_at: datetime | None = None  # the order's: which campaigns its money counts for
    campaign_id: str | None = None  # when the deed names its campaign (a coupon's template)
    order_id: str | None = None
    coupon: str | None = None
    amount: Fen = 0
    platform_funded: Fen = 0
    merchant_funded: Fen = 0
    lines: tuple[Line, ...] = ()

    @property
    def counted_at(self) -> datetime:
        """The moment that decides which campaigns the fact counts for."""
        return self.placed_at or self.at

    def event(self, campaign_id: str, channel: Channel, segment: Segment) -> Event:
        """The fact as one campaign's KPI event; the same fact and campaign, the same id."""
        digest = hashlib.sha256(f"{self.key}|{campaign_id}".encode()).hexdigest()[:40]
        return Event(
            id=f"srv:{digest}",
            kind=self.kind,
            campaign_id=campaign_id,
            customer_id=self.customer_id,
            channel=channel,
            segment=segment,
            at=self.at,
            order_id=self.order_id,
            coupon=self.coupon,
            amount=self.amount,
            platform_funded=self.platform_funded,
            merchant_funded=self.merchant_funded,
            lines=self.lines,
        )


def registered(customer_id: str, at: datetime) -> Fact:
    """A customer registered (注册)."""
    return Fact(f"customer:{customer_id}:registered", EventKind.REGISTRATION, customer_id, at)


def coupon_claimed(
    coupon_id: str, template_id: str, customer_id: str, campaign_id: str | None, at: datetime
) -> Fact:
    """A coupon of `template_id` claimed (领券); counted for its template's campaign."""
    return Fact(
        f"coupon:{coupon_id}:claimed",
        EventKind.COUPON_CLAIM,
        customer_id,
        at,
        campaign_id=campaign_id,
        coupon=template_id,
    )


def order_placed(order: Order) -> Fact:
    """An order placed (下单), for what it asks to be paid."""
    return Fact(
        f"order:{order.id}:placed",
        EventKind.ORDER,
        order.customer_id,
        order.created_at,
        placed_at=order.created_at,
        order_id=order.id,
        amount=order.payable,
        lines=_lines(order),
    )


def order_paid(order: Order, at: datetime) -> list[Fact]:
    """An order paid (成交), with who funded its discounts, and each coupon it redeemed."""
    shares = [share for line in order.lines for share in line.discounts]
    platform = sum(share.platform for share in shares)
    paid = Fact(
        f"order:{order.id}:paid",
        EventKind.PAYMENT,
        order.customer_id,
        at,
        placed_at=order.created_at,
        order_id=order.id,
        amount=order.payable,
        platform_funded=platform,
        merchant_funded=sum(share.amount for share in shares) - platform,
        lines=_lines(order),
    )
    uses = [
        Fact(
            f"coupon:{coupon}:used",
            EventKind.COUPON_USE,
            order.customer_id,
            at,
            placed_at=order.created_at,
            coupon=coupon,
        )
        for coupon in order.coupons
    ]
    return [paid, *uses]


def order_closed(order: Order, at: datetime) -> Fact:
    """An order cancelled by its customer, or unpaid in time and expired."""
    return Fact(
        f"order:{order.id}:closed",
        EventKind.ORDER_CANCELLED,
        order.customer_id,
        at,
        placed_at=order.created_at,
        order_id=order.id,
    )


def order_refunded(order: Order, refund_id: str, refund: Refund, at: datetime) -> Fact:
    """Money given back (退款) and each funder's share clawed back."""
    platform = sum(share.platform for share in refund.clawbacks)
    return Fact(
        f"order:{order.id}:refund:{refund_id}",
        EventKind.REFUND,
        order.customer_id,
        at,
        placed_at=order.created_at,
        order_id=order.id,
        amount=refund.amount,
        platform_funded=platform,
        merchant_funded=sum(share.amount for share in refund.clawbacks) - platform,
        lines=(Line(refund.sku, refund.qty, refund.amount),),
    )


def _lines(order: Order) -> tuple[Line, ...]:
    return tuple(Line(line.sku, line.qty, line.payable) for line in order.lines)
