"""A settlement run's arithmetic (plan 004): a shop's unsettled due postings become the
lines of its next statement and one SETTLEMENT entry moving them into its wallet.

Rule for the total: the statement total is the sum of its lines, each line being
what its posting owes the shop (the posting's amount negated: a subsidy credit is
positive, a clawback or a penalty negative). A negative total is issued as such:
the shop's wallet is debited and the shop owes the platform that amount, which a
later statement (or a payout's netting) recovers; nothing is dropped or capped.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from dacu.domain.campaigns import Campaign, CampaignStatus
from dacu.domain.errors import DomainError, ErrorCode, NotFound
from dacu.domain.ledger import (
    DUE_KINDS,
    Entry,
    EntryKind,
    MerchantAccount,
    Posting,
    compact,
    merchant,
)
from dacu.domain.settlement import Statement, StatementLine, StatementStatus, statement_id
from dacu.domain.types import Fen
from dacu.domain.workdays import last_working_day


class StatementStateError(DomainError):
    """The statement (or its campaign) is not in a state that allows this."""

    code: ClassVar[ErrorCode] = ErrorCode.STATEMENT_STATE


class UnknownStatement(NotFound):
    code: ClassVar[ErrorCode] = ErrorCode.UNKNOWN_STATEMENT
    noun: ClassVar[str] = "statement"


@dataclass(frozen=True, slots=True)
class Due:
    """A posting on one of a shop's due accounts, not yet on a statement."""

    posting_id: int
    kind: MerchantAccount
    entry_key: str
    entry_kind: EntryKind
    amount: Fen  # the posting's: + debit, − credit
    at: datetime
    refs: Mapping[str, str] = field(default_factory=dict)


def ended_at(campaign: Campaign, now: datetime) -> datetime:
    """The campaign's end, from which its statements fall due: the end of its last
    phase, once that has passed or the campaign is ended (an early end keeps the
    planned end, so every run computes the same due day). Raises STATEMENT_STATE
    naming the field otherwise."""
    ends = [held.window.ends_at for held in campaign.phases if held.window.ends_at]
    if not ends:
        raise StatementStateError("the campaign's last phase has no end", "phases")
    last = max(ends)
    if campaign.status is CampaignStatus.ENDED or last <= now:
        return last
    raise StatementStateError(
        f"campaign {campaign.id} has not ended: its last phase ends {last.isoformat()}",
        "status",
    )


def due_on(campaign: Campaign, now: datetime, is_workday: Callable[[date], bool]) -> date:
    """The last working day to pay the campaign's statements: `due_days` (7) working
    days after its end (STATEMENT_STATE before it has ended)."""
    return last_working_day(ended_at(campaign, now), campaign.settlement.due_days, is_workday)


def settle(
    campaign_id: str,
    shop: str,
    seq: int,
    dues: Iterable[Due],
    at: datetime,
    due_on: date,
    by: str,
) -> tuple[Statement, Entry | None] | None:
    """The shop's statement number `seq` of these postings and its SETTLEMENT entry
    (None when the lines net to nothing on every account); None when there are none."""
    ordered = in_order(dues)
    if not ordered:
        return None
    if any(d.kind not in DUE_KINDS for d in ordered):
        raise StatementStateError("only due accounts settle", "kind")
    sid = statement_id(campaign_id, shop, seq)
    lines = tuple(
        StatementLine(no, d.kind, d.entry_key, -d.amount, d.at, _refs(d))
        for no, d in enumerate(ordered, start=1)
    )
    total = sum(line.amount for line in lines)
    statement = Statement(
        sid, campaign_id, shop, seq, at, due_on, total, StatementStatus.ISSUED, lines, by
    )
    moved = [Posting(merchant(shop, d.kind), -d.amount, campaign_id) for d in ordered]
    moved.append(Posting(merchant(shop, MerchantAccount.WALLET), -total, campaign_id))
    postings = compact(moved)
    if not postings:
        return statement, None
    refs = {"statement_id": sid, "shop": shop, "campaign_id": campaign_id}
    entry = Entry(f"settlement:{sid}", EntryKind.SETTLEMENT, at, postings, refs)
    return statement, entry


def in_order(dues: Iterable[Due]) -> list[Due]:
    """The postings in the order of their statement's lines: by time, then posting."""
    return sorted(dues, key=lambda d: (d.at, d.posting_id))


def _refs(due: Due) -> dict[str, str]:
    found = {k: str(v) for k, v in due.refs.items() if v is not None and v != ""}
    found["entry_kind"] = due.entry_kind.value
    return found
