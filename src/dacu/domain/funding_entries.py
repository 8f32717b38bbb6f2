"""Who funds each discount, as ledger entries: an order paid posts the funding shares
of its discounts, a refund posts their clawbacks back.

The platform's share of a discount at a shop is a subsidy the platform owes the
shop (debit the platform's subsidy expense, credit the shop's `subsidy`); the
shop's own share is a discount it gave (debit its `funded_discounts`, credit the
memo of discounts customers received). Each posting carries the campaign whose
budget funds the platform's share (none for a rule the platform funds nothing of).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from dacu.domain.ledger import (
    Entry,
    EntryKind,
    MerchantAccount,
    Platform,
    Posting,
    compact,
    merchant,
)
from dacu.domain.orders import Order, Refund
from dacu.domain.pricing import Share


def _postings(
    shop: str, shares: Iterable[Share], funders: Mapping[str, str], sign: int
) -> list[Posting]:
    found: list[Posting] = []
    for share in shares:
        campaign = funders.get(share.id, "")
        if share.platform:
            found += [
                Posting(Platform.SUBSIDY_EXPENSE.value, sign * share.platform, campaign),
                Posting(merchant(shop, MerchantAccount.SUBSIDY), -sign * share.platform, campaign),
            ]
        if share.merchant:
            found += [
                Posting(merchant(shop, MerchantAccount.FUNDED_DISCOUNTS), sign * share.merchant,
                        campaign),
                Posting(Platform.CUSTOMER_DISCOUNTS.value, -sign * share.merchant, campaign),
            ]  # fmt: skip
    return found


def paid_entry(order: Order, at: datetime) -> Entry | None:
    """The funding of every discount of a paid order; None when it had no discount."""
    postings = compact(
        p for line in order.lines for p in _postings(line.shop, line.discounts, order.funders, 1)
    )
    if not postings:
        return None
    return Entry(
        f"order:{order.id}:paid", EntryKind.ORDER_PAID, at, postings, {"order_id": order.id}
    )


def refund_entry(order: Order, refund_id: str, refund: Refund, at: datetime) -> Entry | None:
    """The clawbacks of a refund: its shares' funding given back; None when none."""
    postings = compact(_postings(refund.shop, refund.clawbacks, order.funders, -1))
    if not postings:
        return None
    refs = {"order_id": order.id, "refund_id": refund_id, "shop": refund.shop}
    return Entry(f"order:{order.id}:refund:{refund_id}", EntryKind.REFUND, at, postings, refs)
