"""Shipments (发货) and the logistics subsidy (物流补贴) they may earn.

A merchant records that an order's lines at one of its shops left with a
carrier under a waybill; the server stamps whether that was late (after the
order was paid plus the promise, 48 hours unless the campaign's logistics
policy says otherwise, plan 002) and the size classes of what left (the SKUs'
own, never the request's). Marked delivered, a shipment earns the subsidy of
the campaign whose policy applies when it left with a designated carrier, on
time, its largest paying size class named in `by_size`, and the order was not
refunded whole before delivery: one LOGISTICS entry per shipment.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode, InvalidRule, NotFound
from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, Platform, merchant, transfer
from dacu.domain.settlement_policy import LogisticsSubsidy
from dacu.domain.types import Fen

DEFAULT_PROMISE_HOURS = 48
MAX_TEXT = 64


class ShipmentStatus(StrEnum):
    SHIPPED = "shipped"  # 已发货
    DELIVERED = "delivered"  # 已签收


class UnknownShipment(NotFound):
    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_SHIPMENT
    noun = "shipment"


class ShipmentStateError(DomainError):
    code: ClassVar[ErrorCode] = ErrorCode.SHIPMENT_STATE


@dataclass(frozen=True, slots=True)
class Shipment:
    id: str
    order_id: str
    shop: str
    carrier: str
    waybill: str
    size_classes: tuple[str, ...]  # of the SKUs shipped, sorted; "" when none is known
    paid_at: datetime
    shipped_at: datetime
    promise_hours: int
    late: bool
    campaign_id: str = ""  # the campaign whose logistics policy applies, if any
    status: ShipmentStatus = ShipmentStatus.SHIPPED
    delivered_at: datetime | None = None
    subsidy: Fen = 0  # posted when delivered

    def deliver(self, now: datetime) -> "Shipment":
        """Delivered (签收); delivering twice is the same delivery."""
        if self.status is ShipmentStatus.DELIVERED:
            return self
        if now < self.shipped_at:
            raise ShipmentStateError(f"shipment {self.id} cannot arrive before it left", "at")
        return replace(self, status=ShipmentStatus.DELIVERED, delivered_at=now)


def check_text(field: str, value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_TEXT or not value.isprintable():
        raise InvalidRule(field, f"must be 1 to {MAX_TEXT} printable characters")
    return value


def is_late(paid_at: datetime, shipped_at: datetime, promise_hours: int) -> bool:
    """Shipped after the promise ran out (发货超时)."""
    return shipped_at > paid_at + timedelta(hours=promise_hours)


def size_classes(found: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({c for c in found if c}))


def subsidy_for(shipment: Shipment, policy: LogisticsSubsidy | None, refunded_whole: bool) -> Fen:
    """What the delivered shipment earns: 0 unless a designated carrier carried it on
    time, a shipped size class is paid for, and the order was not refunded whole."""
    if policy is None or shipment.late or refunded_whole:
        return 0
    if shipment.carrier not in policy.carriers:
        return 0
    return max((policy.by_size.get(c, 0) for c in shipment.size_classes), default=0)


def logistics_entry(shipment: Shipment, amount: Fen, at: datetime) -> Entry | None:
    """The subsidy owed to the shop for the shipment, once per shipment."""
    if amount <= 0:
        return None
    return Entry(
        f"logistics:{shipment.id}",
        EntryKind.LOGISTICS,
        at,
        transfer(
            Platform.LOGISTICS_EXPENSE.value,
            merchant(shipment.shop, MerchantAccount.LOGISTICS),
            amount,
            shipment.campaign_id,
        ),
        {"shipment_id": shipment.id, "order_id": shipment.order_id, "shop": shipment.shop},
        f"{shipment.carrier} {shipment.waybill}",
    )
