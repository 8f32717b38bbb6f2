"""Shipments (发货) and the logistics subsidy (物流补贴), plan 002's 48-hour promise and
plan 004's subsidy policy.

A merchant records the shipment of an order's lines at its shop: the server
finds when the order was paid, which campaign's logistics policy applies (a
campaign not a draft whose phases held the payment and that has a logistics
policy, the first by id), the promise (that policy's, else 48 h),
whether the shipment is late, and the size classes of the SKUs shipped (the
catalog's). Marking it delivered posts the subsidy, once per shipment, in the
same transaction as the delivery (`domain/shipments.py` says when it is owed).
"""

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from dacu.domain.campaigns import Campaign, CampaignStatus
from dacu.domain.errors import IdempotencyConflict, InvalidRule
from dacu.domain.orders import Order, OrderStatus
from dacu.domain.settlement_policy import LogisticsSubsidy
from dacu.domain.shipments import (
    DEFAULT_PROMISE_HOURS,
    Shipment,
    ShipmentStateError,
    UnknownShipment,
    check_text,
    is_late,
    logistics_entry,
    size_classes,
    subsidy_for,
)
from dacu.services.outbox import CampaignDirectory
from dacu.services.ports.shipping import ShipmentBook, ShipmentStore, ToShip

COUNTING = (CampaignStatus.LIVE, CampaignStatus.PAUSED, CampaignStatus.ENDED)  # not drafts


class ShipmentService:
    def __init__(
        self,
        store: ShipmentStore,
        campaigns: CampaignDirectory,
        clock: Callable[[], datetime],
    ) -> None:
        self._store, self._campaigns, self._clock = store, campaigns, clock

    def ship(
        self,
        order_id: str,
        own_shops: Collection[str],
        carrier: str,
        waybill: str,
        merchant: str,
        key: str,
        shop: str | None = None,
    ) -> tuple[Shipment, bool]:
        """Record that the order's lines at one of `own_shops` left; (shipment, created).
        The same Idempotency-Key with the same request gives the same shipment back."""
        carrier, waybill = check_text("carrier", carrier), check_text("waybill", waybill)
        request_hash = _hash(order_id, carrier, waybill, shop or "")
        now = self._clock()
        with self._store.book() as book:
            found = book.by_key(merchant, key)
            if found is not None:
                return _same(found, request_hash), False
            held = book.order(order_id)
            if held is None:
                raise InvalidRule("order_id", f"order {order_id} is not a paid order")
            order, paid_at = held
            at_shop = _shop_of(order, own_shops, shop)
            if order.status is not OrderStatus.PAID:
                raise ShipmentStateError(f"order {order.id} is {order.status}; not to ship")
            shipment = self._shipment(book, order, at_shop, carrier, waybill, paid_at, now, key)
            if book.add(shipment, merchant, key, request_hash):
                return shipment, True
            again = book.by_key(merchant, key)
        if again is not None:  # the same request raced itself
            return _same(again, request_hash), False
        raise ShipmentStateError(f"order {order_id}'s lines at {at_shop} are shipped already")

    def _shipment(
        self,
        book: ShipmentBook,
        order: Order,
        shop: str,
        carrier: str,
        waybill: str,
        paid_at: datetime,
        now: datetime,
        key: str,
    ) -> Shipment:
        existing = book.of_order(order.id, shop)
        if existing is not None:
            raise ShipmentStateError(f"order {order.id}'s lines at {shop} are shipped already")
        skus = [line.sku for line in order.lines if line.shop == shop]
        classes = book.size_classes(skus)
        campaign, policy = self.policy_at(paid_at)
        promise = policy.promise_hours if policy else DEFAULT_PROMISE_HOURS
        return Shipment(
            id="shp-" + hashlib.sha256(f"{order.id}|{shop}".encode()).hexdigest()[:20],
            order_id=order.id,
            shop=shop,
            carrier=carrier,
            waybill=waybill,
            size_classes=size_classes(classes.get(s, "") for s in skus),
            paid_at=paid_at,
            shipped_at=now,
            promise_hours=promise,
            late=is_late(paid_at, now, promise),
            campaign_id=campaign,
        )

    def deliver(self, shipment_id: str, own_shops: Collection[str] | None) -> Shipment:
        """Delivered (签收): posts the logistics subsidy it earned, once. `own_shops`:
        a merchant's shops (None: an operator, who may mark any)."""
        now = self._clock()
        with self._store.book() as book:
            shipment = book.held(shipment_id)
            if shipment is None or (own_shops is not None and shipment.shop not in own_shops):
                raise UnknownShipment(shipment_id)
            delivered = shipment.deliver(now)
            if delivered is shipment:
                return shipment
            held = book.order(shipment.order_id)
            refunded = held is None or _refunded_whole(held[0], shipment.shop)
            policy = self._policy_of(shipment.campaign_id)
            amount = subsidy_for(shipment, policy, refunded)
            delivered = _with_subsidy(delivered, amount)
            if not book.delivered(delivered):
                raise ShipmentStateError(f"shipment {shipment_id} changed meanwhile; retry")
            entry = logistics_entry(delivered, amount, now)
            if entry is not None:
                book.ledger.post(entry)
            return delivered

    def get(self, shipment_id: str, own_shops: Collection[str] | None = None) -> Shipment:
        found = self._store.get(shipment_id)
        if found is None or (own_shops is not None and found.shop not in own_shops):
            raise UnknownShipment(shipment_id)
        return found

    def of_shop(self, shop: str, late: bool | None = None) -> list[Shipment]:
        return self._store.of_shop(shop, late)

    def to_ship(self, shops: Collection[str]) -> list[ToShip]:
        return self._store.to_ship(shops)

    def policy_at(self, paid_at: datetime) -> tuple[str, LogisticsSubsidy | None]:
        """The campaign whose logistics policy applies to an order paid at `paid_at`."""
        return _applying(self._policies(), paid_at)

    def due_times(self, paid: Sequence[datetime]) -> list[datetime]:
        """When orders paid at these times must ship by (the campaigns read once)."""
        policies = self._policies()
        found = []
        for at in paid:
            _, policy = _applying(policies, at)
            hours = policy.promise_hours if policy else DEFAULT_PROMISE_HOURS
            found.append(at + timedelta(hours=hours))
        return found

    def _policies(self) -> list[tuple[Campaign, LogisticsSubsidy]]:
        found = []
        for record in sorted(self._campaigns.list(), key=lambda r: r.id):
            if record.status not in COUNTING:
                continue
            campaign = self._campaigns.campaign(record.id)
            if campaign.settlement.logistics is not None:
                found.append((campaign, campaign.settlement.logistics))
        return found

    def _policy_of(self, campaign_id: str) -> LogisticsSubsidy | None:
        if not campaign_id:
            return None
        return self._campaigns.campaign(campaign_id).settlement.logistics


def _hash(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _same(found: tuple[Shipment, str], request_hash: str) -> Shipment:
    shipment, seen = found
    if seen != request_hash:
        raise IdempotencyConflict("this Idempotency-Key recorded a different shipment")
    return shipment


def _shop_of(order: Order, own_shops: Collection[str], shop: str | None) -> str:
    """The merchant's shop with lines in the order: the one named, or the only one."""
    mine = sorted({line.shop for line in order.lines if line.shop in own_shops})
    if shop is not None:
        if shop not in mine:
            raise InvalidRule("shop", f"order {order.id} has no lines at your shop {shop}")
        return shop
    if not mine:
        raise InvalidRule("order_id", f"order {order.id} has no lines at your shops")
    if len(mine) > 1:
        raise InvalidRule("shop", f"order {order.id} has lines at {', '.join(mine)}: name one")
    return mine[0]


def _refunded_whole(order: Order, shop: str) -> bool:
    """The order refunded whole, or every line the shipment carried."""
    if order.status is OrderStatus.REFUNDED or order.fully_refunded:
        return True
    lines = [line for line in order.lines if line.shop == shop]
    return all(order.refunded.get(line.sku, 0) >= line.qty for line in lines)


def _with_subsidy(shipment: Shipment, amount: int) -> Shipment:
    return replace(shipment, subsidy=amount)


def _applying(
    policies: Sequence[tuple[Campaign, LogisticsSubsidy]], paid_at: datetime
) -> tuple[str, LogisticsSubsidy | None]:
    for campaign, policy in policies:
        if _spans(campaign, paid_at):
            return campaign.id, policy
    return "", None


def _spans(campaign: Campaign, moment: datetime) -> bool:
    try:
        return campaign.span.contains(moment)
    except ValueError:  # no phase with a start and an end
        return False
