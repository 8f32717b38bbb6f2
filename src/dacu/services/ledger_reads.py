"""Reading the double-entry ledger: the trial balance, account balances, an account's
lines and an entry — all of it, or, for a merchant, only its own shops' accounts
(`shops`; None for everyone's)."""

from collections.abc import Collection

from dacu.domain.ledger import MERCHANT_PREFIX, Line
from dacu.domain.ledger_accounts import (
    AccountBalance,
    TrialBalance,
    UnknownEntry,
    ordered,
    visible,
)
from dacu.services.ports.ledger import Ledger

LINES_SHOWN = 1000


def trial_balance(ledger: Ledger, campaign_id: str | None = None) -> TrialBalance:
    """Every account's balance (of one campaign): their total is zero."""
    return TrialBalance(campaign_id, ordered(ledger.balances("", campaign_id)))


def accounts(
    ledger: Ledger,
    prefix: str = "",
    campaign_id: str | None = None,
    shops: Collection[str] | None = None,
) -> tuple[AccountBalance, ...]:
    """The balances of the accounts starting with `prefix` that `shops` may see."""
    if shops is not None:
        prefix = prefix or MERCHANT_PREFIX
    found = ledger.balances(prefix, campaign_id)
    return ordered({a: n for a, n in found.items() if visible(a, shops)})


def lines(
    ledger: Ledger,
    account: str,
    campaign_id: str | None = None,
    shops: Collection[str] | None = None,
    limit: int = LINES_SHOWN,
) -> list[Line]:
    """The postings on one account, oldest first (the first `limit`); none if not visible.
    The ledger reads by prefix: another account whose name starts with this one's is
    left out."""
    if not visible(account, shops):
        return []
    found = ledger.lines(account, campaign_id, limit=limit)
    return [line for line in found if line.account == account]


def entry(ledger: Ledger, key: str, shops: Collection[str] | None = None) -> list[Line]:
    """The postings of the entry with `key` that `shops` may see (UnknownEntry if none)."""
    found = [line for line in ledger.entry(key) or [] if visible(line.account, shops)]
    if not found:
        raise UnknownEntry(key)
    return found
