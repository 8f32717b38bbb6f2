"""总账: the double-entry ledger for finance and operators — the trial balance (zero),
every account's balance per campaign (the platform's, then each shop's), an
account's lines and each line's entry, traceable to its order, refund or rebate.

A merchant sees its own shops' accounts only (another's account or entry is a
404, as the API's). Every figure is `services/ledger_reads.py`'s, as the API's.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse

from dacu.bootstrap import Platform
from dacu.domain.access import Principal, Role
from dacu.domain.ledger import Line
from dacu.domain.ledger_accounts import AccountBalance, UnknownEntry, account_name, visible
from dacu.entrypoints.web.context import PageMissing, backend
from dacu.entrypoints.web.i18n import LABELS, Lang, language
from dacu.entrypoints.web.i18n_ledger import LEDGER_LABELS
from dacu.entrypoints.web.render import page
from dacu.entrypoints.web.session import CONSOLE, NotAllowed, signed_in
from dacu.services import ledger_reads

router = APIRouter(prefix=f"{CONSOLE}/ledger", include_in_schema=False)
LABELS.update(LEDGER_LABELS)  # the screen's words (and its nav link's) join the console's

AUDITORS = frozenset({Role.OPERATOR, Role.FINANCE})
READERS = AUDITORS | {Role.MERCHANT}  # as the API's

CampaignParam = Annotated[str | None, Query(max_length=64)]
AccountParam = Annotated[str, Query(min_length=1, max_length=200)]


def ledger_reader(request: Request) -> Principal:
    found = signed_in(request)
    if found.role not in READERS:
        raise NotAllowed("ledger_roles")
    return found


ReaderDep = Annotated[Principal, Depends(ledger_reader)]


@router.get("")
def ledger_page(request: Request, who: ReaderDep, campaign: CampaignParam = None) -> HTMLResponse:
    found = backend(request)
    campaigns = sorted(record.id for record in found.campaigns.list())
    chosen = campaign or None
    if chosen is not None and chosen not in campaigns:
        raise PageMissing(chosen)
    shops = _own_shops(found, who)
    chinese = language(request) is Lang.ZH
    balance = None
    if shops is None:
        balance = ledger_reads.trial_balance(found.ledger, chosen)
        accounts = balance.accounts
    else:
        accounts = ledger_reads.accounts(found.ledger, "", chosen, shops)
    rows = [_row(a, chinese) for a in accounts]
    context = {
        "campaigns": campaigns,
        "chosen": chosen,
        "balance": balance,
        "platform_rows": [r for r in rows if r["shop"] is None],
        "shop_rows": _by_shop(rows),
    }
    return page(request, "ledger.html", context, who=who)


@router.get("/account")
def account_page(
    request: Request, who: ReaderDep, account: AccountParam, campaign: CampaignParam = None
) -> HTMLResponse:
    found = backend(request)
    shops = _own_shops(found, who)
    if not visible(account, shops):
        raise PageMissing(account)
    lines = ledger_reads.lines(found.ledger, account, campaign or None, shops)
    context = {
        "account": account,
        "name": account_name(account, language(request) is Lang.ZH),
        "chosen": campaign or None,
        "lines": lines,
        "total": sum(line.amount for line in lines),
        "shown": ledger_reads.LINES_SHOWN,
    }
    return page(request, "ledger_account.html", context, who=who)


@router.get("/entry")
def entry_page(request: Request, who: ReaderDep, entry: AccountParam) -> HTMLResponse:
    """One entry's postings and references (`?entry=`: a `key` parameter would be kept
    out of the language switch's link as a secret's name)."""
    key, found = entry, backend(request)
    try:
        lines = ledger_reads.entry(found.ledger, key, _own_shops(found, who))
    except UnknownEntry:
        raise PageMissing(key) from None
    chinese = language(request) is Lang.ZH
    context = {"key": key, "lines": lines, "first": lines[0], "names": _names(lines, chinese)}
    return page(request, "ledger_entry.html", context, who=who)


def _own_shops(found: Platform, who: Principal) -> list[str] | None:
    if who.role is not Role.MERCHANT:
        return None
    return [shop.id for shop in found.goods.shops(who.subject)]


def _row(found: AccountBalance, chinese: bool) -> dict[str, Any]:
    return {
        "account": found.account,
        "name": account_name(found.account, chinese),
        "shop": found.shop,
        "balance": found.balance,
    }


def _by_shop(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]], int]]:
    """Each shop's accounts and their net (credit: what the platform owes it)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["shop"] is not None:
            grouped.setdefault(row["shop"], []).append(row)
    return [(shop, found, sum(r["balance"] for r in found)) for shop, found in grouped.items()]


def _names(lines: list[Line], chinese: bool) -> dict[str, str]:
    return {line.account: account_name(line.account, chinese) for line in lines}
