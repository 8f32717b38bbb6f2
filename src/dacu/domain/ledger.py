"""The double-entry ledger (复式记账): every fen that the platform owes, is owed, or
spends on a campaign, as balanced entries.

An entry is a set of postings on accounts whose amounts sum to zero: a positive
amount is a debit, a negative one a credit. An entry is posted once per `key`
(its natural key: the fact it records), so a retry never posts twice; it is
never changed — a correction is a new entry. The trial balance (the sum of
every posting) is therefore zero at every moment.

Accounts are strings of the chart below: the platform's own (`platform:*`),
and each merchant's (`merchant:<shop>:*`). The merchant accounts that make up
what the platform owes a shop for a campaign (`DUE_KINDS`) carry a credit
balance while owed; settlement moves their net into the shop's wallet
(`merchant:<shop>:wallet`), a payout moves the wallet to the bank.

Postings carry the campaign they belong to, so every figure is per campaign;
entries carry references (`order_id`, `refund_id`, `rule_id`, `shipment_id`,
…) so every statement line is traceable to what caused it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from dacu.domain.errors import DomainError, ErrorCode
from dacu.domain.types import MAX_FEN, Fen


class Platform(StrEnum):
    """The platform's accounts."""

    SUBSIDY_EXPENSE = "platform:subsidy_expense"  # platform-funded discounts (平台补贴)
    CUSTOMER_DISCOUNTS = "platform:customer_discounts"  # merchant-funded discounts, memo
    AD_REBATE_EXPENSE = "platform:ad_rebate_expense"  # 广告费返现
    LOGISTICS_EXPENSE = "platform:logistics_expense"  # 物流补贴
    REBATE_EXPENSE = "platform:rebate_expense"  # plan 000's merchant rebates (商家返利)
    PENALTY_INCOME = "platform:penalty_income"  # 违规罚款
    ADJUSTMENTS = "platform:adjustments"  # appeal decisions (申诉调整)
    BANK = "platform:bank"  # money paid out to merchants


class MerchantAccount(StrEnum):
    """The kinds of a merchant's accounts: `merchant:<shop>:<kind>`."""

    SUBSIDY = "subsidy"  # the platform's shares of discounts at the shop: owed (credit)
    FUNDED_DISCOUNTS = "funded_discounts"  # the shop's own shares of discounts (debit)
    AD_REBATE = "ad_rebate"  # owed (credit)
    LOGISTICS = "logistics"  # owed (credit)
    REBATE = "rebate"  # plan 000's rebates: owed (credit)
    PENALTY = "penalty"  # the shop owes (debit)
    ADJUSTMENT = "adjustment"  # appeal decisions: owed (credit) or taken (debit)
    WALLET = "wallet"  # settled, to be paid out (credit)


DUE_KINDS = frozenset(
    {
        MerchantAccount.SUBSIDY,
        MerchantAccount.AD_REBATE,
        MerchantAccount.LOGISTICS,
        MerchantAccount.REBATE,
        MerchantAccount.PENALTY,
        MerchantAccount.ADJUSTMENT,
    }
)
"""What settlement sums and moves to the wallet: their net credit is owed to the shop."""

MERCHANT_PREFIX = "merchant:"


def merchant(shop: str, kind: MerchantAccount) -> str:
    return f"{MERCHANT_PREFIX}{shop}:{kind.value}"


def shop_of(account: str) -> str | None:
    """The shop of a merchant account (None for the platform's)."""
    if not account.startswith(MERCHANT_PREFIX):
        return None
    return account[len(MERCHANT_PREFIX) :].rsplit(":", 1)[0]


def kind_of(account: str) -> MerchantAccount | None:
    if not account.startswith(MERCHANT_PREFIX):
        return None
    return MerchantAccount(account.rsplit(":", 1)[1])


class EntryKind(StrEnum):
    ORDER_PAID = "order_paid"  # discounts' funding shares of a paid order
    REFUND = "refund"  # their clawbacks
    AD_REBATE = "ad_rebate"
    LOGISTICS = "logistics"
    REBATE = "rebate"  # plan 000's merchant rebates accrued (or reversed)
    PENALTY = "penalty"
    ADJUSTMENT = "adjustment"
    SETTLEMENT = "settlement"  # due → wallet
    PAYOUT = "payout"  # wallet → bank


class Unbalanced(DomainError):
    """The postings of an entry do not sum to zero (or there are none)."""

    code: ClassVar[ErrorCode] = ErrorCode.INVALID


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Fen  # + debit, − credit
    campaign_id: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # the natural key: one entry per key, ever
    kind: EntryKind
    at: datetime
    postings: tuple[Posting, ...]
    refs: Mapping[str, str] = field(default_factory=dict)  # order_id, refund_id, shop, …
    memo: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            raise Unbalanced("an entry needs its key", "key")
        if self.at.tzinfo is None:
            raise Unbalanced("an entry's time must be aware", "at")
        if not self.postings:
            raise Unbalanced("an entry needs postings", "postings")
        if any(abs(p.amount) > MAX_FEN for p in self.postings):
            raise Unbalanced("a posting is larger than any amount can be", "postings")
        if sum(p.amount for p in self.postings) != 0:
            raise Unbalanced(f"entry {self.key} does not balance", "postings")


def compact(postings: Iterable[Posting]) -> tuple[Posting, ...]:
    """The postings with the same account and campaign summed, zeros dropped, in a stable
    order: what an entry built from many shares posts."""
    sums: dict[tuple[str, str], Fen] = {}
    for p in postings:
        sums[(p.account, p.campaign_id)] = sums.get((p.account, p.campaign_id), 0) + p.amount
    return tuple(Posting(a, n, c) for (a, c), n in sorted(sums.items()) if n)


def transfer(debit: str, credit: str, amount: Fen, campaign_id: str = "") -> tuple[Posting, ...]:
    """`amount` from `credit` to `debit`: the two postings of a simple entry."""
    return (Posting(debit, amount, campaign_id), Posting(credit, -amount, campaign_id))


@dataclass(frozen=True, slots=True)
class Line:
    """A posting as read back: with its entry's kind, key, time and references."""

    entry_key: str
    kind: EntryKind
    at: datetime
    account: str
    amount: Fen
    campaign_id: str
    refs: Mapping[str, str]
    memo: str = ""


def balances(lines: Iterable[Posting | Line]) -> Mapping[str, Fen]:
    found: dict[str, Fen] = {}
    for line in lines:
        found[line.account] = found.get(line.account, 0) + line.amount
    return found
