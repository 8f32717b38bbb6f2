"""A paid 抢购 is a full order: one line at the flash price, the flash cut funded.

When the buyer of a held flash order goes to pay, the hold becomes an `Order`
like any checkout's: its line is the SKU at its list price, payable at the
flash price, and the cut between them is one discount `Share` split between
the platform and the merchant as the sale's funding says — the platform's part
drawn from the campaign's budget like any checkout's. Paid through the
payment providers like every order, its funding is booked in the ledger,
refunds claw it back, and the KPIs count it.
"""

import hashlib
from datetime import datetime

from dacu.domain.flashsale import FlashOrder, FlashSale
from dacu.domain.money import apply_rate
from dacu.domain.orders import Order, OrderLine, OrderStatus
from dacu.domain.pricing import Share
from dacu.domain.types import Fen


def flash_order_id(sale_id: str, request_id: str) -> str:
    """The full order a flash order becomes: one id, whoever makes it and however often."""
    digest = hashlib.sha256(f"{sale_id}|{request_id}".encode()).hexdigest()
    return f"flash-{digest[:40]}"


def full_order(sale: FlashSale, held: FlashOrder, shop: str, list_price: Fen) -> Order:
    """The order of a held flash order: pending until paid by `sale.pay_by` of its hold.

    A list price below the flash price gives no cut (nothing is funded)."""
    payable = sale.price * held.qty
    cut = max(0, (list_price - sale.price) * held.qty)
    platform = apply_rate(cut, sale.platform_bp)
    shares = (Share(sale.id, cut, platform, cut - platform),) if cut else ()
    line = OrderLine(sale.sku, shop, held.qty, payable + cut, payable, shares)
    return Order(
        id=flash_order_id(sale.id, held.request_id),
        customer_id=held.user_id,
        lines=(line,),
        coupons=(),
        status=OrderStatus.PENDING,
        created_at=held.accepted_at,
        pay_by=sale.pay_by(held.accepted_at),
        funders={sale.id: sale.campaign_id} if platform and sale.campaign_id else {},
    )


def overdue(sale: FlashSale, held: FlashOrder, now: datetime) -> bool:
    return now > sale.pay_by(held.accepted_at)
