"""Plan 000's merchant rebates as ledger entries: an accrued rebate is an expense of
the platform owed to the shop (debit `platform:rebate_expense`, credit
`merchant:<shop>:rebate`), posted once under `rebate:<accrual key>`; a reversal
(the first order refunded whole) posts the opposite under `…:reversed`. Held,
unfunded and refused rebates owe nothing and post nothing; a held one posts
when a review allows it. Both postings carry the rebate's campaign."""

from datetime import datetime

from dacu.domain.ledger import Entry, EntryKind, MerchantAccount, Platform, merchant, transfer
from dacu.domain.rebates import Accrual


def rebate_key(accrual_key: str) -> str:
    return f"rebate:{accrual_key}"


def reversal_key(accrual_key: str) -> str:
    return f"rebate:{accrual_key}:reversed"


def _refs(accrual: Accrual) -> dict[str, str]:
    return {
        "order_id": accrual.order_id,
        "shop": accrual.shop,
        "rebate": accrual.key,
        "customer_id": accrual.customer_id,
    }


def accrued_entry(accrual: Accrual, at: datetime) -> Entry:
    """What the shop is owed by an accrued rebate."""
    owed = merchant(accrual.shop, MerchantAccount.REBATE)
    postings = transfer(Platform.REBATE_EXPENSE.value, owed, accrual.amount, accrual.campaign_id)
    return Entry(rebate_key(accrual.key), EntryKind.REBATE, at, postings, _refs(accrual))


def reversed_entry(accrual: Accrual, at: datetime) -> Entry:
    """The accrual's entry taken back: the shop is owed nothing by it any more."""
    owed = merchant(accrual.shop, MerchantAccount.REBATE)
    postings = transfer(owed, Platform.REBATE_EXPENSE.value, accrual.amount, accrual.campaign_id)
    return Entry(reversal_key(accrual.key), EntryKind.REBATE, at, postings, _refs(accrual))
