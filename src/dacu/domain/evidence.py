"""The evidence a large-subsidy review shows: the order's payments and its waybills."""

from dataclasses import dataclass
from datetime import datetime

from dacu.domain.types import Fen


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: str
    order_id: str
    channel: str
    amount: Fen
    status: str
    transaction_id: str
    paid_at: datetime | None
    refunded: Fen


@dataclass(frozen=True, slots=True)
class Waybill:
    order_id: str
    shop: str
    carrier: str
    waybill: str
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReviewEvidence:
    order_id: str  # "" when the line names no order (an ad rebate, an adjustment …)
    payments: tuple[PaymentRecord, ...] = ()
    waybills: tuple[Waybill, ...] = ()
