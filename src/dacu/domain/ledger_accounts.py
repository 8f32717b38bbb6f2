"""The ledger's accounts as people read them: their names (Chinese first, English
too), what a merchant may see of them (its own shops' accounts only), and the
trial balance (试算平衡): every account's balance, summing to zero."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import ClassVar

from dacu.domain.errors import NotFound
from dacu.domain.ledger import MerchantAccount, Platform, kind_of, shop_of
from dacu.domain.types import Fen

PLATFORM_NAMES: Mapping[str, tuple[str, str]] = {
    Platform.SUBSIDY_EXPENSE: ("平台补贴支出", "Platform subsidy expense"),
    Platform.CUSTOMER_DISCOUNTS: ("商家让利（备查）", "Merchant-funded discounts (memo)"),
    Platform.AD_REBATE_EXPENSE: ("广告费返现支出", "Ad-fee rebate expense"),
    Platform.LOGISTICS_EXPENSE: ("物流补贴支出", "Logistics subsidy expense"),
    Platform.REBATE_EXPENSE: ("商家返利支出", "Merchant rebate expense"),
    Platform.PENALTY_INCOME: ("违规罚款收入", "Penalty income"),
    Platform.ADJUSTMENTS: ("申诉调整", "Appeal adjustments"),
    Platform.BANK: ("银行（已付款）", "Bank (paid out)"),
}

MERCHANT_NAMES: Mapping[MerchantAccount, tuple[str, str]] = {
    MerchantAccount.SUBSIDY: ("应付平台补贴", "Platform subsidy owed"),
    MerchantAccount.FUNDED_DISCOUNTS: ("商家自担优惠", "Own-funded discounts"),
    MerchantAccount.AD_REBATE: ("应付广告费返现", "Ad-fee rebate owed"),
    MerchantAccount.LOGISTICS: ("应付物流补贴", "Logistics subsidy owed"),
    MerchantAccount.REBATE: ("应付商家返利", "Merchant rebate owed"),
    MerchantAccount.PENALTY: ("违规罚款", "Penalties"),
    MerchantAccount.ADJUSTMENT: ("申诉调整", "Appeal adjustments"),
    MerchantAccount.WALLET: ("待付款余额", "Wallet (settled, to pay out)"),
}


class UnknownEntry(NotFound):
    """No ledger entry has that key (or none the caller may see)."""

    noun: ClassVar[str] = "ledger entry"


def account_name(account: str, chinese: bool = True) -> str:
    """The account's name for people: `商家 tea-house · 应付平台补贴`, say."""
    pick = 0 if chinese else 1
    shop = shop_of(account)
    if shop is None:
        names = PLATFORM_NAMES.get(account)
        return account if names is None else names[pick]
    try:
        kind = kind_of(account)
    except ValueError:
        return account
    assert kind is not None
    who = f"商家 {shop}" if chinese else f"Merchant {shop}"
    return f"{who} · {MERCHANT_NAMES[kind][pick]}"


def visible(account: str, shops: Collection[str] | None) -> bool:
    """Whether one who may see `shops` (every account for None) may see the account."""
    return shops is None or shop_of(account) in shops


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account: str
    balance: Fen  # + debit, − credit
    shop: str | None  # None for the platform's

    @property
    def kind(self) -> str:
        return self.account.rsplit(":", 1)[1]


@dataclass(frozen=True, slots=True)
class TrialBalance:
    campaign_id: str | None  # None: every campaign
    accounts: tuple[AccountBalance, ...]

    @property
    def total(self) -> Fen:
        return sum(a.balance for a in self.accounts)

    @property
    def balanced(self) -> bool:
        return self.total == 0


def ordered(balances: Mapping[str, Fen]) -> tuple[AccountBalance, ...]:
    """The platform's accounts first, then each shop's, by name; zero balances dropped."""

    def key(account: str) -> tuple[int, str]:
        return (0 if shop_of(account) is None else 1, account)

    shown = sorted((a for a, n in balances.items() if n), key=key)
    return tuple(AccountBalance(a, balances[a], shop_of(a)) for a in shown)
