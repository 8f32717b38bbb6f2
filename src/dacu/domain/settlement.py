"""Settlement statements (补贴结算单, plan 004): what the platform owes a merchant for a
campaign, computed from the ledger, issued once and never changed.

A settlement run for a shop sums what its due accounts (`ledger.DUE_KINDS`) hold
for the campaign and is not yet settled; each posting becomes a statement line,
traceable to its entry (its order, refund, shipment, penalty or appeal). The
statement posts one entry moving that net into the shop's wallet, so a later run
(after a late refund or an appeal's adjustment) finds only what came since and
issues the next statement of the sequence. A line's `amount` is what it adds to
what the shop is paid: positive for a subsidy, negative for a clawback or a penalty.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from dacu.domain.ledger import MerchantAccount
from dacu.domain.types import Fen


class StatementStatus(StrEnum):
    ISSUED = "issued"  # computed and posted; payable once due and reviewed
    PAID = "paid"  # every payout of it made


@dataclass(frozen=True, slots=True)
class StatementLine:
    no: int  # 1, 2, … within the statement
    kind: MerchantAccount  # which due account: subsidy, ad_rebate, logistics, rebate, …
    entry_key: str  # the ledger entry it comes from
    amount: Fen  # + owed to the shop, − taken from it
    at: datetime
    refs: Mapping[str, str] = field(default_factory=dict)  # order_id, refund_id, waybill …


@dataclass(frozen=True, slots=True)
class Statement:
    id: str  # "<campaign>:<shop>:<seq>"
    campaign_id: str
    shop: str
    seq: int
    issued_at: datetime
    due_on: date  # the last working day to pay it (7 working days after the campaign ends)
    total: Fen  # the sum of the lines
    status: StatementStatus
    lines: tuple[StatementLine, ...] = ()
    prepared_by: str = ""  # who ran it


def statement_id(campaign_id: str, shop: str, seq: int) -> str:
    return f"{campaign_id}:{shop}:{seq}"
