"""Ledger routes (总账): the trial balance, account balances, an account's lines and an
entry. Finance and operators see every account; a merchant only its own shops'
`merchant:<shop>:` accounts (someone else's entry is the same 404 as none)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.ledger import Line
from dacu.domain.ledger_accounts import AccountBalance, account_name
from dacu.entrypoints.api.context import PlatformDep, PrincipalDep
from dacu.schemas.bounds import PRINTABLE, Id
from dacu.services import ledger_reads

router = APIRouter(tags=["ledger"])
AUDITORS = (Role.FINANCE, Role.OPERATOR)
READERS = (*AUDITORS, Role.MERCHANT)
ACCOUNT = r"^[A-Za-z0-9_.:\-]*$"

CampaignQuery = Annotated[Id | None, Query(description="only this campaign's postings")]
PrefixQuery = Annotated[
    str, Query(max_length=200, pattern=ACCOUNT, description="accounts starting with this")
]


class AccountOut(BaseModel):
    account: str = Field(description="e.g. platform:subsidy_expense, merchant:<shop>:subsidy")
    name: str = Field(description="the account's Chinese name")
    name_en: str
    shop: str | None = Field(description="the shop of a merchant account; null: platform")
    balance: int = Field(description="fen: + debit, − credit")


class TrialBalanceOut(BaseModel):
    campaign_id: str | None
    total: int = Field(description="fen: the sum of every balance, 0 when the ledger balances")
    balanced: bool
    accounts: list[AccountOut]


class LineOut(BaseModel):
    entry_key: str = Field(description="the entry's natural key, e.g. order:<id>:paid")
    kind: str
    at: datetime
    account: str
    amount: int = Field(description="fen: + debit, − credit")
    campaign_id: str
    refs: dict[str, str] = Field(description="order_id, refund_id, shop, rebate, …")
    memo: str


def _account(found: AccountBalance) -> AccountOut:
    return AccountOut(
        account=found.account,
        name=account_name(found.account),
        name_en=account_name(found.account, chinese=False),
        shop=found.shop,
        balance=found.balance,
    )


def _line(line: Line) -> LineOut:
    return LineOut(
        entry_key=line.entry_key,
        kind=line.kind.value,
        at=line.at,
        account=line.account,
        amount=line.amount,
        campaign_id=line.campaign_id,
        refs=dict(line.refs),
        memo=line.memo,
    )


def shops_seen(backend: Platform, who: Principal) -> list[str] | None:
    """The shops whose accounts the caller may see: None for every account."""
    who.require(*READERS)
    if who.role is Role.MERCHANT:
        return [shop.id for shop in backend.goods.shops(who.subject)]
    return None


@router.get("/v1/ledger/trial-balance", response_model=TrialBalanceOut)
def trial_balance(
    backend: PlatformDep, who: PrincipalDep, campaign_id: CampaignQuery = None
) -> TrialBalanceOut:
    """Every account's balance (of one campaign); their total is 0."""
    who.require(*AUDITORS)
    found = ledger_reads.trial_balance(backend.ledger, campaign_id)
    return TrialBalanceOut(
        campaign_id=campaign_id,
        total=found.total,
        balanced=found.balanced,
        accounts=[_account(a) for a in found.accounts],
    )


@router.get("/v1/ledger/accounts", response_model=list[AccountOut])
def ledger_accounts(
    backend: PlatformDep,
    who: PrincipalDep,
    prefix: PrefixQuery = "",
    campaign_id: CampaignQuery = None,
) -> list[AccountOut]:
    """The balances of the accounts starting with `prefix` that the caller may see."""
    shops = shops_seen(backend, who)
    found = ledger_reads.accounts(backend.ledger, prefix, campaign_id, shops)
    return [_account(a) for a in found]


@router.get("/v1/ledger/lines", response_model=list[LineOut])
def account_lines(
    backend: PlatformDep,
    who: PrincipalDep,
    account: Annotated[str, Query(min_length=1, max_length=200, pattern=ACCOUNT)],
    campaign_id: CampaignQuery = None,
) -> list[LineOut]:
    """One account's postings, oldest first (the first 1000), each with its entry's refs."""
    shops = shops_seen(backend, who)
    return [_line(x) for x in ledger_reads.lines(backend.ledger, account, campaign_id, shops)]


@router.get("/v1/ledger/entries/{key:path}", response_model=list[LineOut])
def ledger_entry(
    backend: PlatformDep,
    who: PrincipalDep,
    key: Annotated[str, Path(min_length=1, max_length=200, pattern=PRINTABLE)],
) -> list[LineOut]:
    """The postings of the entry with this key (a merchant: those on its own accounts)."""
    shops = shops_seen(backend, who)
    return [_line(x) for x in ledger_reads.entry(backend.ledger, key, shops)]
